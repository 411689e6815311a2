# Copyright (c) mmadvseg contributors. All rights reserved.
from typing import Dict, Optional, Tuple

import torch
from torch import Tensor


class GradNormProbeMixin:
    """Measures how strongly each generator loss term pulls the generated
    image: the diagnostics of :class:`~.adv_seg_mixin.AdvSegMixin`.

    The model sets ``self._grad_probe = (probe, outputs)`` around its
    generator loss; :meth:`parse_losses` then fills ``probe`` with
    ``gradnorm_<term>`` before parsing.
    """

    def parse_losses(self, losses: Dict[str, Tensor]) -> Tuple[Tensor, dict]:
        """mmengine's ``parse_losses``; on a diagnostics iteration it first
        measures each generator term's gradient at the generated image
        (see :meth:`_init_diagnostics`)."""
        if self._grad_probe is not None:
            probe, outputs = self._grad_probe
            probe.update(self._grad_norms(losses, outputs))
        return super().parse_losses(losses)

    def _init_diagnostics(self, grad_norm_interval: int = 0) -> None:
        """Set up the gradient-norm diagnostics.

        Every ``grad_norm_interval`` iterations (0: never), the generator
        step logs ``gradnorm_<term>``: the mean over the batch of the L2
        norm of each loss term's gradient with respect to the generated
        image ``fake_<default domain>`` (for a term that does not reach
        it, the identity output, else the reconstruction
        ``cycle_<default domain>``: the identity and semantic cycle terms).
        It tells which term drives the
        generator; each costs one more backward pass through the term's own
        graph (for the segmentation terms, the segmenter's).

        Args:
            grad_norm_interval (int): Iterations between measurements.
        """
        self.grad_norm_interval = int(grad_norm_interval)
        self._grad_probe: Optional[tuple] = None

    def _grad_norms(self, losses: Dict[str, Tensor],
                    outputs: dict) -> Dict[str, Tensor]:
        norms = {}
        images = [
            outputs.get(f'{kind}_{self._default_domain}')
            for kind in ('fake', 'identity', 'cycle')
        ]
        images = [x for x in images if x is not None and x.requires_grad]
        for key, value in losses.items():
            if 'loss' not in key or not isinstance(value, Tensor) \
                    or not value.requires_grad:
                continue
            for image in images:
                grad, = torch.autograd.grad(
                    value, image, retain_graph=True, allow_unused=True)
                if grad is not None:
                    norms[f'gradnorm_{key}'] = grad.flatten(1).norm(
                        dim=1).mean().detach()
                    break
        return norms
