# Copyright (c) mmadvseg contributors. All rights reserved.
from typing import Optional

from mmagic.models.editors import CycleGAN
from mmagic.registry import MODELS

from .adv_seg_mixin import AdvSegMixin


@MODELS.register_module()
class AdvSegCycleGAN(AdvSegMixin, CycleGAN):
    """CycleGAN (unpaired translation) with the adversarial segmentation
    loss.

    mmagic's ``CycleGAN`` plus the segmentation discriminators and terms
    described in :class:`AdvSegMixin`; by default only the sketch -> photo
    direction is segmented. The discriminators are unconditional: with
    unpaired data no image pairs with the real segmentation maps. With
    ``adv_seg=None`` it is the baseline CycleGAN (numerically identical for
    the same seed), with mmagic 1.2.0's ``init_weights`` fixed.

    Args: those of mmagic's ``CycleGAN``, plus ``adv_seg`` and
    ``grad_norm_interval`` (see :meth:`AdvSegMixin.__init__`).
    """

    def _check_condition(self, condition: Optional[str]) -> None:
        if condition is not None:
            raise ValueError(
                'AdvSegCycleGAN: adv_seg.condition must be None; with '
                'unpaired data no image pairs with the real segmentation '
                'maps.')
