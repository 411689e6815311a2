# Copyright (c) mmadvseg contributors. All rights reserved.
from mmagic.registry import MODELS

from .semantic_consistency_loss import SemanticConsistencyLoss


@MODELS.register_module()
class SemanticCycleLoss(SemanticConsistencyLoss):
    """The semantic cycle loss: a real photo's segmentation should survive
    the cycle photo -> sketch -> photo.

    For a real photo ``b`` the guide's per-pixel class probabilities of its
    reconstruction ``G_photo(G_sketch(b))`` (``p``) are compared with those
    of ``b`` itself (``q``, the target, detached), by the divergence of
    :class:`SemanticConsistencyLoss` (cross-entropy or KL, soft or one-hot
    target, optional thing/stuff term). It gives CycleGAN a per-image
    semantic target with neither labels nor pairs; its gradient reaches
    both generators through the reconstruction.

    Args: those of :class:`SemanticConsistencyLoss`.
    """
