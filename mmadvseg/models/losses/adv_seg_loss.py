# Copyright (c) mmadvseg contributors. All rights reserved.
from mmagic.models.losses import GANLoss
from mmagic.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class AdvSegLoss(GANLoss):
    """The adversarial segmentation loss (AdvSegLoss).

    A GAN loss on a segmentation discriminator's predictions for the
    segmentation maps of real and generated images. The generator term is
    scaled by ``loss_weight`` (the paper's lambda); the discriminator term is
    ``0.5 * (real + fake)``, unweighted, as in the reference code.

    Args:
        gan_type (str): ``'vanilla'`` (BCE, Pix2Pix), ``'lsgan'`` (MSE,
            CycleGAN) or ``'hinge'``. Defaults to ``'vanilla'``.
        loss_weight (float): Weight of the generator term. Defaults to 1.0,
            the best value of the paper's ablation.
    """

    def __init__(self, gan_type: str = 'vanilla', loss_weight: float = 1.0):
        if gan_type not in ('vanilla', 'lsgan', 'hinge'):
            raise ValueError(f'AdvSegLoss supports gan_type vanilla, lsgan '
                             f'and hinge, got {gan_type!r}')
        super().__init__(gan_type=gan_type, loss_weight=loss_weight)

    def generator_loss(self, fake_pred: Tensor) -> Tensor:
        """Weighted loss that pushes the fake maps to be judged real."""
        return self(fake_pred, target_is_real=True, is_disc=False)

    def discriminator_loss(self, real_pred: Tensor,
                           fake_pred: Tensor) -> Tensor:
        """``0.5 * (loss(real, real) + loss(fake, fake))``."""
        return 0.5 * (
            self(real_pred, target_is_real=True, is_disc=True) +
            self(fake_pred, target_is_real=False, is_disc=True))
