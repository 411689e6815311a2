# Copyright (c) mmadvseg contributors. All rights reserved.
import pytest
import torch
from mmagic.models.archs import PatchDiscriminator

from mmadvseg.models import SegPatchDiscriminator


def _pair(seg_channels: int, condition_channels: int, **kwargs):
    """Ours and mmagic's PatchGAN over the concatenated input, same
    weights."""
    torch.manual_seed(0)
    ours = SegPatchDiscriminator(seg_channels, condition_channels, **kwargs)
    ours.init_weights()
    stock = PatchDiscriminator(
        in_channels=seg_channels + condition_channels,
        base_channels=kwargs.get('base_channels', 64),
        num_conv=kwargs.get('num_conv', 3),
        norm_cfg=kwargs.get('norm_cfg', dict(type='BN')),
        init_cfg=dict(type='normal', gain=0.02))
    stock.load_state_dict(ours.state_dict())
    return ours, stock


@pytest.mark.parametrize('norm', ['BN', 'IN'])
def test_conditioned_equals_patchgan_on_the_concatenation(norm):
    """The split first conv is conv(cat(condition, seg)): same logits and
    the same gradients w.r.t. the map, the condition and the weights."""
    ours, stock = _pair(7, 3, norm_cfg=dict(type=norm))
    seg = torch.rand(2, 7, 70, 90, dtype=torch.float64, requires_grad=True)
    cond = torch.rand(2, 3, 70, 90, dtype=torch.float64, requires_grad=True)
    ours.double(), stock.double()
    out = ours(seg, cond)
    ref = stock(torch.cat([cond, seg], 1))
    torch.testing.assert_close(out, ref, rtol=1e-10, atol=1e-12)
    weights = torch.randn_like(out)
    grads = torch.autograd.grad((out * weights).sum(),
                                [seg, cond, *ours.parameters()])
    ref_grads = torch.autograd.grad((ref * weights).sum(),
                                    [seg, cond, *stock.parameters()])
    for grad, ref_grad in zip(grads, ref_grads):
        torch.testing.assert_close(grad, ref_grad, rtol=1e-10, atol=1e-12)
    assert grads[0].is_contiguous()


def test_unconditioned_is_the_patchgan():
    ours, stock = _pair(2, 0, num_conv=2, base_channels=8)
    seg = torch.rand(1, 2, 64, 64)
    torch.testing.assert_close(ours(seg), stock(seg))
    # 64 -> 32 -> 16 (stride 2 x2) -> 15 -> 14 (the two stride-1 convs)
    assert ours(seg).shape == (1, 1, 14, 14)


def test_state_dict_keys_are_patchgan_keys():
    ours, stock = _pair(133, 3)
    assert ours.state_dict().keys() == stock.state_dict().keys()
    assert ours.model[0].conv.weight.shape == (64, 136, 4, 4)


def test_condition_must_match_the_construction():
    conditioned = SegPatchDiscriminator(2, condition_channels=3)
    unconditioned = SegPatchDiscriminator(2)
    seg = torch.rand(1, 2, 32, 32)
    with pytest.raises(ValueError, match='condition_channels=3'):
        conditioned(seg)
    with pytest.raises(ValueError, match='condition_channels=0'):
        unconditioned(seg, torch.rand(1, 3, 32, 32))


def test_init_weights_without_init_cfg():
    """mmagic's PatchDiscriminator.init_weights fails with init_cfg=None;
    ours falls back to N(0, 0.02)."""
    disc = SegPatchDiscriminator(2, init_cfg=None)
    torch.nn.init.zeros_(disc.model[0].conv.weight)
    disc.init_weights()
    std = disc.model[0].conv.weight.std().item()
    assert 0.01 < std < 0.03
