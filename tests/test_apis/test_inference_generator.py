# Copyright (c) mmadvseg contributors. All rights reserved.
"""The test-time form of a generator is mmagic's ``forward_test`` of one
image with the dropout masks it drew, for any batch; its masks come from
the one numpy generator of the backends."""
import numpy as np
import pytest
import torch
from mmagic.registry import MODELS
from torch import nn

from mmadvseg.apis.dropout_masks import draw_masks, expected_masks
from mmadvseg.apis.inference_generator import (
    InferenceGenerator,
    MaskedDropout,
    SampleNorm,
)
from mmadvseg.apis.spec import DropoutLayer, GeneratorSpec
from mmadvseg.testing import tiny_translation_cfg


def _model(model_type: str):
    torch.manual_seed(0)
    model = MODELS.build(tiny_translation_cfg(model_type))
    model.init_weights()
    return model


@pytest.mark.parametrize('model_type', ['AdvSegPix2Pix', 'AdvSegCycleGAN'])
def test_equals_forward_test_image_by_image(model_type):
    model = _model(model_type)
    net = InferenceGenerator(model.generators['photo'])
    images = torch.rand(3, 3, 24, 32) * 2 - 1
    drawn = []  # the keep masks of mmagic's dropout layers (out != 0)
    for layer in model.generators['photo'].modules():
        if isinstance(layer, nn.Dropout):
            layer.register_forward_hook(
                lambda _, args, out: drawn.append((out != 0).float()))
    expected, masks = [], []
    for seed, img in enumerate(images):
        torch.manual_seed(seed)
        with torch.no_grad():
            expected.append(model.forward_test(
                img[None], target_domain='photo')['target'])
        masks.append(drawn[:])
        drawn.clear()
    assert [len(m) for m in masks] == [model_type == 'AdvSegPix2Pix'] * 3
    with torch.no_grad():
        for img, mask, target in zip(images, masks, expected):
            torch.testing.assert_close(net(img[None], *mask), target,
                                       rtol=0, atol=1e-6)
        # the batch does not matter (batch norm works per image)
        batch = net(images, *masks[1])
    torch.testing.assert_close(batch[1:2], expected[1], rtol=0, atol=1e-6)


def test_masks_drive_dropout_and_none_is_dropout_off():
    model = _model('AdvSegPix2Pix')
    net = InferenceGenerator(model.generators['photo'])
    assert net.size_multiple() == 4
    assert net.dropout_layers() == [DropoutLayer(32, 4)]
    assert any(isinstance(m, SampleNorm) for m in net.modules())
    spec = GeneratorSpec(dropout_p=0.5, dropout_layers=(DropoutLayer(32, 4),))
    x = torch.rand(2, 3, 16, 20)
    with torch.no_grad():
        seeded = {seed: net(x, *map(torch.from_numpy,
                                    draw_masks(spec, 16, 20, seed)))
                  for seed in (1, 2)}
        off = net(x)
        # the ONNX file's default masks, broadcast: dropout off
        torch.testing.assert_close(
            net(x, *map(torch.from_numpy, expected_masks(spec))), off,
            rtol=0, atol=0)
        with pytest.raises(ValueError, match='1 dropout masks needed'):
            net(x, *[torch.ones(1, 32, 4, 5)] * 2)
    assert (seeded[1] - seeded[2]).abs().max() > 1e-3
    assert (seeded[1] - off).abs().max() > 1e-3
    # the trained generator is left as it was
    assert not any(isinstance(m, MaskedDropout)
                   for m in model.generators['photo'].modules())


def test_the_masks_of_a_seed():
    spec = GeneratorSpec(dropout_p=0.5, dropout_layers=(
        DropoutLayer(8, 2), DropoutLayer(16, 4)))
    masks = draw_masks(spec, 40, 24, seed=3)
    assert [(m.shape, m.dtype) for m in masks] == [
        ((1, 8, 20, 12), np.float32), ((1, 16, 10, 6), np.float32)]
    assert set(np.unique(np.concatenate([m.ravel() for m in masks]))) == {
        0.0, 1.0}
    assert 0.4 < np.mean(masks[0]) < 0.6
    # what a program in another language reproduces: PCG64 seeded with the
    # seed, float32 uniforms layer by layer, kept below 1 - p
    rng = np.random.Generator(np.random.PCG64(3))
    for mask in masks:
        np.testing.assert_array_equal(
            mask, rng.random(mask.shape, dtype=np.float32) < 0.5)
    again = draw_masks(spec, 40, 24, seed=3)
    other = draw_masks(spec, 40, 24, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(masks, again))
    assert not np.array_equal(masks[0], other[0])
