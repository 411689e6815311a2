# Copyright (c) mmadvseg contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F

from mmadvseg.models import SemanticConsistencyLoss


def _probs(seed: int, classes: int = 4) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(2, classes, 3, 5, generator=gen).softmax(1)


def test_divergences_and_targets_written_out():
    fake, real = _probs(0), _probs(1)
    ce = -(real * fake.log()).sum(1).mean()
    loss = SemanticConsistencyLoss(loss_weight=2.0)
    torch.testing.assert_close(loss(fake, real), 2.0 * ce)
    kl = F.kl_div(fake.log(), real, reduction='none').sum(1).mean()
    torch.testing.assert_close(
        SemanticConsistencyLoss(divergence='kl')(fake, real), kl)
    assert float(SemanticConsistencyLoss(divergence='kl')(real, real)) == \
        pytest.approx(0.0, abs=1e-6)
    hard = F.nll_loss(fake.log(), real.argmax(1))
    torch.testing.assert_close(
        SemanticConsistencyLoss(target='hard')(fake, real), hard)
    binary = SemanticConsistencyLoss(binary_weight=0.5)
    fb, rb = _probs(2, 2), _probs(3, 2)
    torch.testing.assert_close(
        binary(fake, real, fb, rb), ce - 0.5 * (rb * fb.log()).sum(1).mean())
    with pytest.raises(ValueError, match='thing/stuff maps'):
        binary(fake, real)
    with pytest.raises(ValueError, match='divergence'):
        SemanticConsistencyLoss(divergence='js')
