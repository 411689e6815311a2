# Copyright (c) mmadvseg contributors. All rights reserved.
from typing import Optional

from mmagic.models.editors import CycleGAN
from mmagic.registry import MODELS
from torch import Tensor

from .adv_seg_mixin import AdvSegMixin


@MODELS.register_module()
class AdvSegCycleGAN(AdvSegMixin, CycleGAN):
    """CycleGAN (unpaired translation) with the adversarial segmentation
    loss.

    mmagic's ``CycleGAN`` plus the segmentation discriminators and terms
    described in :class:`AdvSegMixin`; by default only the sketch -> photo
    direction is segmented. mmagic names each generator by the domain it
    produces: ``generators['photo']`` maps sketch -> photo (G_A of the
    paper), ``generators['sketch']`` photo -> sketch (G_B). With
    ``adv_seg=None`` it is the baseline CycleGAN (numerically identical for
    the same seed), with mmagic 1.2.0's ``init_weights`` fixed.

    The segmentation discriminators are unconditional by default. With
    ``adv_seg.condition='source'`` they are joint (sketch, map)
    discriminators: the real pairs are ``(G_B(b), guide(b))`` for a real
    photo ``b`` (its sketch, detached), the fake pairs ``(a,
    guide(G_A(a)))`` for a real sketch ``a``, so they judge whether a map
    fits its sketch, not only whether it looks like a map.
    ``adv_seg.semantic_cycle`` adds ``SemanticCycleLoss``.

    Args: those of mmagic's ``CycleGAN``, plus ``adv_seg`` and
    ``grad_norm_interval`` (see :meth:`AdvSegMixin.__init__`).
    """

    cyclic = True

    def _check_condition(self, condition: Optional[str]) -> None:
        if condition not in (None, 'source'):
            raise ValueError(
                "AdvSegCycleGAN: adv_seg.condition must be None or 'source' "
                f'(the joint (sketch, map) discriminator), got {condition!r}; '
                'with unpaired data no real photo pairs with a generated '
                'map.')

    def _condition_image(self, outputs: dict, domain: str,
                         fake: bool) -> Optional[Tensor]:
        """The joint discriminator's sketch: the real input of a fake map,
        the translation of the real image (detached) of a real map."""
        if self.adv_seg_condition is None:
            return None
        source = self.get_other_domains(domain)[0]
        if fake:
            return outputs[f'real_{source}']
        return outputs[f'fake_{source}'].detach()
