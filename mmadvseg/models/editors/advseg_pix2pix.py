# Copyright (c) mmadvseg contributors. All rights reserved.
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

    Args: those of mmagic's ``Pix2Pix``, plus ``adv_seg`` and
    ``grad_norm_interval`` (see :meth:`AdvSegMixin.__init__`).
    """

    paired_data = True
