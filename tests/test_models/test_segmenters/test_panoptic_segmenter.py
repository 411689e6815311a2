# Copyright (c) mmadvseg contributors. All rights reserved.
import os.path as osp

import pytest
import torch
from mmagic.registry import MODELS

from mmadvseg.models.segmenters.panoptic_segmenter import (
    MASK2FORMER_R50_URL,
    FrozenPanopticSegmenter,
)
from mmadvseg.testing import tiny_mask2former_cfg, tiny_segmenter_cfg
from mmadvseg.utils.weights import hub_cache_path


@pytest.fixture(scope='module')
def segmenter() -> FrozenPanopticSegmenter:
    torch.manual_seed(0)
    return MODELS.build(tiny_segmenter_cfg())


def _images(*shape, requires_grad=False) -> torch.Tensor:
    gen = torch.Generator().manual_seed(1)
    img = torch.rand(*shape, generator=gen) * 2 - 1
    return img.requires_grad_(requires_grad)


@pytest.mark.parametrize('shape', [(1, 3, 64, 64), (2, 3, 250, 190)])
def test_maps_are_distributions_of_any_size(segmenter, shape):
    maps = segmenter(_images(*shape))
    n, _, h, w = shape
    assert maps.probs.shape == (n, 133, h, w)
    assert maps.binary.shape == (n, 2, h, w)
    assert (maps.probs >= 0).all()
    torch.testing.assert_close(maps.probs.sum(1), torch.ones(n, h, w))
    torch.testing.assert_close(maps.binary[:, 0], maps.probs[:, :80].sum(1))
    torch.testing.assert_close(maps.binary[:, 1], maps.probs[:, 80:].sum(1))


def test_batch_elements_are_independent(segmenter):
    images = _images(2, 3, 64, 96)
    both = segmenter(images).probs
    second = segmenter(images[1:]).probs
    torch.testing.assert_close(both[1:], second, atol=1e-5, rtol=1e-4)


def test_frozen_but_differentiable_wrt_input(segmenter):
    assert not any(p.requires_grad for p in segmenter.parameters())
    segmenter.train()
    assert not segmenter.training
    assert not any(m.training for m in segmenter.modules())
    images = _images(1, 3, 64, 64, requires_grad=True)
    maps = segmenter(images)
    # a loss on a few classes of one region moves the input pixels
    maps.probs[:, 3:7, :32].sum().backward()
    assert images.grad is not None and images.grad.abs().sum() > 0
    assert all(p.grad is None for p in segmenter.parameters())


def test_reals_build_no_graph(segmenter):
    with torch.no_grad():
        maps = segmenter(_images(1, 3, 32, 32))
    assert not maps.probs.requires_grad


def test_hard_maps_are_one_hot_with_straight_through_gradients(segmenter):
    images = _images(1, 3, 64, 64, requires_grad=True)
    soft = segmenter(images)
    hard = segmenter(images, hard=True)
    assert set(hard.probs.detach().unique().tolist()) <= {0.0, 1.0}
    torch.testing.assert_close(hard.probs.detach().sum(1),
                               torch.ones(1, 64, 64))
    assert torch.equal(
        hard.probs.detach().argmax(1), soft.probs.detach().argmax(1))
    weights = torch.randn_like(soft.probs)
    grad_soft, = torch.autograd.grad((soft.probs * weights).sum(), images)
    grad_hard, = torch.autograd.grad((hard.probs * weights).sum(), images)
    assert grad_hard.abs().sum() > 0
    torch.testing.assert_close(grad_hard, grad_soft)


def test_rejects_wrong_layout(segmenter):
    with pytest.raises(ValueError, match=r'\(N, 3, H, W\)'):
        segmenter(torch.zeros(1, 4, 32, 32))


def test_thing_stuff_split_follows_the_model():
    seg = MODELS.build(tiny_segmenter_cfg(num_things=3, num_stuff=2))
    assert (seg.num_things, seg.num_stuff, seg.num_classes) == (3, 2, 5)
    maps = seg(_images(1, 3, 32, 32))
    assert maps.probs.shape[1] == 5
    torch.testing.assert_close(maps.binary[:, 0], maps.probs[:, :3].sum(1))


def _save_random_checkpoint(path, num_things=80, num_stuff=53) -> str:
    torch.manual_seed(123)
    seg = MODELS.build(tiny_segmenter_cfg(num_things, num_stuff))
    torch.save({'state_dict': seg.detector.state_dict()}, path)
    return str(path)


def test_loads_a_local_checkpoint(tmp_path):
    ckpt = _save_random_checkpoint(tmp_path / 'tiny.pth')
    torch.manual_seed(0)
    seg = MODELS.build(tiny_segmenter_cfg(checkpoint=ckpt))
    saved = torch.load(ckpt)['state_dict']
    for key, value in seg.detector.state_dict().items():
        assert torch.equal(value, saved[key]), key


def test_loads_a_url_from_the_hub_cache_without_network(tmp_path):
    url = 'https://example.invalid/weights/tiny_m2f.pth'
    cached = hub_cache_path(url)
    assert cached.startswith(osp.join(str(torch.hub.get_dir())))
    import os
    os.makedirs(osp.dirname(cached), exist_ok=True)
    _save_random_checkpoint(cached)
    seg = MODELS.build(tiny_segmenter_cfg(checkpoint=url))
    assert seg(_images(1, 3, 32, 32)).probs.shape[1] == 133


def test_missing_checkpoint_says_which_file_and_how(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        FrozenPanopticSegmenter(
            config=tiny_mask2former_cfg(), checkpoint=MASK2FORMER_R50_URL)
    msg = str(err.value)
    assert hub_cache_path(MASK2FORMER_R50_URL) in msg
    assert MASK2FORMER_R50_URL in msg
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        FrozenPanopticSegmenter(
            config=tiny_mask2former_cfg(),
            checkpoint=str(tmp_path / 'missing.pth'))


def test_mismatched_or_corrupt_checkpoint_names_the_file(tmp_path):
    other = _save_random_checkpoint(tmp_path / 'six_classes.pth', 3, 3)
    with pytest.raises(RuntimeError, match='six_classes.pth.*does not match'):
        FrozenPanopticSegmenter(
            config=tiny_mask2former_cfg(), checkpoint=other)
    corrupt = tmp_path / 'corrupt.pth'
    corrupt.write_bytes(b'not a checkpoint')
    with pytest.raises(RuntimeError, match='corrupt.pth.*corrupt'):
        FrozenPanopticSegmenter(
            config=tiny_mask2former_cfg(), checkpoint=str(corrupt))


def test_random_weights_need_an_explicit_opt_in():
    with pytest.raises(ValueError, match='allow_random_init'):
        FrozenPanopticSegmenter(config=tiny_mask2former_cfg(), checkpoint=None)


@pytest.mark.parametrize('config,num_params', [
    ('mmdet::mask2former/mask2former_r50_8xb2-lsj-50e_coco-panoptic.py',
     44.0e6),
    ('mmdet::mask2former/'
     'mask2former_swin-t-p4-w7-224_8xb2-lsj-50e_coco-panoptic.py', 47.4e6),
])
def test_builds_real_coco_panoptic_configs(config, num_params):
    seg = FrozenPanopticSegmenter(
        config=config, checkpoint=None, allow_random_init=True)
    assert (seg.num_things, seg.num_stuff) == (80, 53)
    count = sum(p.numel() for p in seg.parameters())
    assert abs(count - num_params) / num_params < 0.02
