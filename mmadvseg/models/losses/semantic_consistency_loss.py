# Copyright (c) mmadvseg contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn as nn
from mmagic.registry import MODELS
from torch import Tensor

DIVERGENCES = ('ce', 'kl')
TARGETS = ('soft', 'hard')


@MODELS.register_module()
class SemanticConsistencyLoss(nn.Module):
    """The segmentation of the generated image should be that of the real
    one: a plain, non-adversarial semantic loss for paired data.

    Compares the guide's per-pixel class probabilities of the generated
    photo ``p`` with those of the real photo ``q`` (the target, detached):
    the cross-entropy ``-sum_c q_c log p_c`` (``'ce'``) or
    ``KL(q || p)`` (``'kl'``, the cross-entropy minus the target's
    entropy: the same gradient, a zero minimum), averaged over pixels. With
    ``target='hard'`` ``q`` is the one-hot argmax of the real photo's
    probabilities. ``binary_weight`` adds the same divergence between the
    thing/stuff maps.

    Args:
        loss_weight (float): Weight of the whole term. Defaults to 1.0.
        divergence (str): ``'ce'`` or ``'kl'``. Defaults to ``'ce'``.
        target (str): ``'soft'`` (the real photo's probabilities) or
            ``'hard'`` (their argmax). Defaults to ``'soft'``.
        binary_weight (float): Weight of the thing/stuff term relative to
            the class term; 0 leaves it out. Defaults to 0.
        eps (float): Floor of the probabilities under the log. Defaults to
            1e-6.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 divergence: str = 'ce',
                 target: str = 'soft',
                 binary_weight: float = 0.0,
                 eps: float = 1e-6) -> None:
        super().__init__()
        if divergence not in DIVERGENCES:
            raise ValueError(f'divergence must be one of {DIVERGENCES}, got '
                             f'{divergence!r}')
        if target not in TARGETS:
            raise ValueError(f'target must be one of {TARGETS}, got '
                             f'{target!r}')
        self.loss_weight = float(loss_weight)
        self.divergence = divergence
        self.target = target
        self.binary_weight = float(binary_weight)
        self.eps = eps

    def _divergence(self, fake: Tensor, real: Tensor) -> Tensor:
        """Mean over pixels of the divergence of (N, C, H, W) maps."""
        real = real.detach()
        if self.target == 'hard':
            real = torch.zeros_like(real).scatter_(
                1, real.argmax(1, keepdim=True), 1.0)
        loss = -(real * fake.clamp_min(self.eps).log()).sum(1)
        if self.divergence == 'kl':
            loss = loss + (real * real.clamp_min(self.eps).log()).sum(1)
        return loss.mean()

    def forward(self,
                fake_probs: Tensor,
                real_probs: Tensor,
                fake_binary: Optional[Tensor] = None,
                real_binary: Optional[Tensor] = None) -> Tensor:
        """The weighted loss.

        Args:
            fake_probs (Tensor): (N, C, H, W) class probabilities of the
                generated images, with their graph.
            real_probs (Tensor): The same of the real images (detached
                here).
            fake_binary (Tensor, optional): (N, 2, H, W) thing/stuff maps
                of the generated images; needed when ``binary_weight`` > 0.
            real_binary (Tensor, optional): The same of the real images.

        Returns:
            Tensor: A scalar.
        """
        loss = self._divergence(fake_probs, real_probs)
        if self.binary_weight:
            if fake_binary is None or real_binary is None:
                raise ValueError('binary_weight > 0 needs the thing/stuff '
                                 'maps of both images')
            loss = loss + self.binary_weight * self._divergence(
                fake_binary, real_binary)
        return self.loss_weight * loss
