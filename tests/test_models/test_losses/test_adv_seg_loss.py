# Copyright (c) mmadvseg contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F

from mmadvseg.models import AdvSegLoss

REAL = torch.tensor([[[[2.0, -1.0], [0.5, 0.0]]]])
FAKE = torch.tensor([[[[-3.0, 1.0], [0.25, -0.5]]]])


def _expected(gan_type: str):
    """(generator term before the weight, discriminator term), written out
    from the GAN definitions."""
    ones, zeros = torch.ones_like(FAKE), torch.zeros_like(FAKE)
    if gan_type == 'vanilla':
        bce = F.binary_cross_entropy_with_logits
        return (bce(FAKE, ones),
                0.5 * (bce(REAL, ones) + bce(FAKE, zeros)))
    if gan_type == 'lsgan':
        return (F.mse_loss(FAKE, ones),
                0.5 * (F.mse_loss(REAL, ones) + F.mse_loss(FAKE, zeros)))
    return (-FAKE.mean(), 0.5 * (F.relu(1 - REAL).mean() +
                                 F.relu(1 + FAKE).mean()))


@pytest.mark.parametrize('gan_type', ['vanilla', 'lsgan', 'hinge'])
def test_terms_follow_the_gan_type(gan_type):
    loss = AdvSegLoss(gan_type=gan_type, loss_weight=2.5)
    gen, disc = _expected(gan_type)
    torch.testing.assert_close(loss.generator_loss(FAKE), 2.5 * gen)
    # the discriminator term is never weighted (reference code)
    torch.testing.assert_close(loss.discriminator_loss(REAL, FAKE), disc)


def test_generator_term_prefers_fakes_judged_real():
    loss = AdvSegLoss()
    assert loss.generator_loss(FAKE + 5) < loss.generator_loss(FAKE)
    assert loss.discriminator_loss(REAL + 5, FAKE - 5) < \
        loss.discriminator_loss(REAL, FAKE)


def test_rejects_unknown_gan_type():
    with pytest.raises(ValueError, match="'wgan'"):
        AdvSegLoss(gan_type='wgan')
