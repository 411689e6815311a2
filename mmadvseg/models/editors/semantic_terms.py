# Copyright (c) mmadvseg contributors. All rights reserved.
from typing import Dict, Optional

import torch
from mmagic.registry import MODELS
from torch import Tensor

#: The non-adversarial semantic terms: ``adv_seg`` key -> (loss type, image
#: compared with the real photo, logged name, variant that is this term
#: alone).
SEMANTIC_TERMS = {
    'consistency':
    ('SemanticConsistencyLoss', 'fake', 'loss_semcons', 'consistency'),
    'semantic_cycle':
    ('SemanticCycleLoss', 'cycle', 'loss_semcycle', 'semcycle'),
}


class SemanticTermsMixin:
    """The non-adversarial semantic terms of
    :class:`~.adv_seg_mixin.AdvSegMixin`: the guide's class probabilities
    of a generated image against those of the real photo (the target,
    detached), with no discriminator.

    - ``adv_seg.consistency`` (paired data): the generated photo
      ``G(a)`` against its real photo (``SemanticConsistencyLoss``).
    - ``adv_seg.semantic_cycle`` (CycleGAN): the reconstruction
      ``G_photo(G_sketch(b))`` of a real photo ``b`` against ``b``
      (``SemanticCycleLoss``).

    Each is a loss config without ``type``; the variants ``'consistency'``
    and ``'semcycle'`` are the term alone (default settings unless given).
    """

    #: Whether each input comes with its target (``consistency`` needs it).
    paired_data: bool = False
    #: Whether the model reconstructs its inputs through a cycle
    #: (``semantic_cycle`` needs it).
    cyclic: bool = False

    def _build_semantic_terms(self, variant: str, adv_seg: dict) -> None:
        """Build the terms configured in ``adv_seg`` (their keys popped).

        Args:
            variant (str): ``adv_seg.variant``.
            adv_seg (dict): The rest of the ``adv_seg`` settings.
        """
        self.adv_seg_semantic = torch.nn.ModuleDict()
        for key, (loss_type, _, _, alone) in SEMANTIC_TERMS.items():
            cfg = adv_seg.pop(key, None)
            if variant == alone and cfg is None:
                cfg = {}
            if cfg is None:
                continue
            if key == 'consistency' and not self.paired_data:
                raise ValueError('adv_seg.consistency needs paired data (the '
                                 'real photo of each sketch): use it with '
                                 'Pix2Pix')
            if key == 'semantic_cycle' and not self.cyclic:
                raise ValueError('adv_seg.semantic_cycle needs a cycle '
                                 '(photo -> sketch -> photo): use it with '
                                 'CycleGAN')
            self.adv_seg_semantic[key] = MODELS.build(
                dict(type=loss_type, **cfg))

    @property
    def adv_seg_consistency(self) -> Optional[torch.nn.Module]:
        """The ``consistency`` term's loss, None without it."""
        terms = self.adv_seg_semantic
        return terms['consistency'] if 'consistency' in terms else None

    def semantic_losses(self, outputs: dict) -> Dict[str, Tensor]:
        """The configured semantic terms on the default domain.

        Args:
            outputs (dict): The model's forward results (``real_<domain>``
                and ``fake_<domain>`` or ``cycle_<domain>``); the maps are
                cached in it.

        Returns:
            dict[str, Tensor]: ``loss_semcons`` and/or ``loss_semcycle``.
        """
        losses = dict()
        domain = self._default_domain
        for key, loss in self.adv_seg_semantic.items():
            _, kind, name, _ = SEMANTIC_TERMS[key]
            self._segment(outputs, f'{kind}_{domain}', with_grad=True)
            self._segment(outputs, f'real_{domain}', with_grad=False)
            pred, real = (outputs[f'soft_seg_{k}_{domain}']
                          for k in (kind, 'real'))
            losses[name] = loss(pred.probs, real.probs, pred.binary,
                                real.binary)
        return losses
