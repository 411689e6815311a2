# Copyright (c) mmadvseg contributors. All rights reserved.
from typing import Optional

from mmagic.models.editors import Pix2Pix
from mmagic.registry import MODELS

from .adv_seg_mixin import AdvSegMixin


@MODELS.register_module()
class AdvSegPix2Pix(AdvSegMixin, Pix2Pix):
    """Pix2Pix (paired translation) with the adversarial segmentation loss.

    mmagic's ``Pix2Pix`` plus the segmentation discriminators and terms
    described in :class:`AdvSegMixin`. With ``adv_seg=None`` it is the
    baseline Pix2Pix (numerically identical for the same seed), with mmagic
    1.2.0's ``init_weights`` and ``test_step`` fixed.

    Args:
        *args: Positional arguments of mmagic's ``Pix2Pix``.
        adv_seg (dict, optional): AdvSegLoss settings, see
            :class:`AdvSegMixin`. Defaults to None (baseline).
        grad_norm_interval (int): Log each generator term's gradient norm
            at the generated image every this many iterations (0: never),
            see :meth:`AdvSegMixin._init_diagnostics`. Defaults to 0.
        **kwargs: Keyword arguments of mmagic's ``Pix2Pix``.
    """

    def __init__(self,
                 *args,
                 adv_seg: Optional[dict] = None,
                 grad_norm_interval: int = 0,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self._init_adv_seg(adv_seg)
        self._init_diagnostics(grad_norm_interval)
