# Copyright (c) mmadvseg contributors. All rights reserved.
"""The test-time form of a generator is mmagic's ``forward_test`` of one
image after ``torch.manual_seed(seed)``, for any batch."""
import pytest
import torch
from mmagic.registry import MODELS

from mmadvseg.apis.inference_generator import (
    InferenceGenerator,
    SampleNorm,
    SeededDropout,
)
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
    expected = []
    for img in images:
        torch.manual_seed(11)
        with torch.no_grad():
            expected.append(model.forward_test(
                img[None], target_domain='photo')['target'])
    net.seed(11)
    with torch.no_grad():
        out = net(images)
    torch.testing.assert_close(out, torch.cat(expected), rtol=0, atol=1e-6)
    # the batch does not matter (batch norm and dropout work per image)
    net.seed(11)
    with torch.no_grad():
        alone = net(images[1:2])
    torch.testing.assert_close(alone, out[1:2], rtol=0, atol=1e-6)


def test_dropout_follows_the_seed_and_masks_replace_it():
    model = _model('AdvSegPix2Pix')
    net = InferenceGenerator(model.generators['photo'])
    assert net.size_multiple() == 4
    assert [(d.channels, d.stride) for d in net.dropout_layers()] == [(32, 4)]
    assert any(isinstance(m, SampleNorm) for m in net.modules())
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        runs = {}
        for seed in (1, 1, 2):
            net.seed(seed)
            runs.setdefault(seed, []).append(net(x))
        torch.testing.assert_close(runs[1][0], runs[1][1], rtol=0, atol=0)
        assert (runs[1][0] - runs[2][0]).abs().max() > 1e-3
        # a given mask replaces the seeded one: the seed's own mask as an
        # input (what an ONNX export gets) gives the seed's output
        mask = torch.empty(1, 32, 4, 4).bernoulli_(
            0.5, generator=torch.Generator().manual_seed(2))
        net.seed(1)
        torch.testing.assert_close(net(x, mask), runs[2][0], rtol=0, atol=0)
        with pytest.raises(ValueError, match='1 dropout masks needed'):
            net(x, mask, mask)
    drop = SeededDropout(0.5)
    with pytest.raises(RuntimeError, match='needs a mask or a seeded'):
        drop(x)
    # the trained generator is left as it was
    assert not any(isinstance(m, SeededDropout)
                   for m in model.generators['photo'].modules())
