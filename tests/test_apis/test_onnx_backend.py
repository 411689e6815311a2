# Copyright (c) mmadvseg contributors. All rights reserved.
"""The exported Pix2Pix of the demo's architecture (the toy config's ResNet
generator: 32 channels, 6 residual blocks, 6 dropout layers, random
weights) on onnxruntime: it runs with the sketch alone, and one seed gives
one picture on PyTorch and on onnxruntime."""
import numpy as np
import onnxruntime as ort
import pytest
import torch
from conftest import sketch

from mmadvseg.apis import Colorizer
from mmadvseg.apis.dropout_masks import draw_masks, mask_names
from mmadvseg.apis.export import export_onnx
from mmadvseg.apis.torch_backend import load_generator
from mmadvseg.utils.config import repo_config

CONFIG = 'toy/pix2pix_both_toy.py'


@pytest.fixture(scope='module')
def demo_model(tmp_path_factory) -> tuple:
    """``(config, checkpoint, onnx file)`` of a randomly initialised
    generator of the demo's config."""
    from mmagic.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    config = repo_config(CONFIG)
    root = tmp_path_factory.mktemp('demo_model')
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmagic'):
        generator = MODELS.build(Config.fromfile(config).model.generator)
    generator.init_weights()
    checkpoint = str(root / 'generator.pth')
    torch.save({'state_dict': {f'generators.photo.{k}': v
                               for k, v in generator.state_dict().items()}},
               checkpoint)
    onnx_file = str(root / 'pix2pix.onnx')
    export_onnx(config, checkpoint, onnx_file, sketches=[sketch(40, 48)])
    return config, checkpoint, onnx_file


def test_a_session_runs_with_the_sketch_alone(demo_model):
    config, checkpoint, onnx_file = demo_model
    session = ort.InferenceSession(onnx_file,
                                   providers=['CPUExecutionProvider'])
    [sketch_input] = session.get_inputs()
    assert (sketch_input.name, sketch_input.type, sketch_input.shape) == (
        'sketch', 'tensor(float)', ['batch', 3, 'height', 'width'])
    # the masks are inputs with defaults (onnxruntime: overridable
    # initializers)
    masks = {i.name: (i.type, i.shape)
             for i in session.get_overridable_initializers()}
    assert masks == {name: ('tensor(float)', [1, 128, 'height_4', 'width_4'])
                     for name in mask_names(6)}
    [output] = session.get_outputs()
    assert (output.name, output.type) == ('photo', 'tensor(float)')
    net, spec = load_generator(config, checkpoint)
    batch = spec.to_input([sketch(36, 44, seed=1), sketch(36, 44, seed=2)])
    [photo] = session.run(None, {'sketch': batch})
    assert photo.shape == (2, 3, 36, 44)
    assert np.abs(photo).max() <= 1
    # the default is dropout off: PyTorch without masks
    with torch.no_grad():
        expected = net(torch.from_numpy(batch)).numpy()
    np.testing.assert_allclose(photo, expected, rtol=0, atol=1e-4)
    # masks can still be fed; they change the picture
    masks = draw_masks(spec, 36, 44, seed=3)
    [masked] = session.run(None, {'sketch': batch,
                                  **dict(zip(mask_names(6), masks))})
    assert np.abs(masked - photo).max() > 0.1


def test_one_seed_gives_one_picture_on_pytorch_and_onnxruntime(demo_model):
    config, checkpoint, onnx_file = demo_model
    on_torch = Colorizer(config, checkpoint)
    on_onnx = Colorizer(onnx_file)
    images = [sketch(64, 64, seed=4), sketch(57, 83, seed=5)]
    for seed in (0, 7):
        run = dict(seed=seed, batch_size=2, size=64, show_progress=False)
        ours = on_onnx(images, **run)['predictions']
        theirs = on_torch(images, **run)['predictions']
        for onnx_out, torch_out in zip(ours, theirs):
            assert np.abs(onnx_out.astype(int) - torch_out).max() <= 1
    # the seed matters: other masks, other colours
    [other] = on_onnx(images[0], seed=8, show_progress=False)['predictions']
    [first] = on_onnx(images[0], seed=7, show_progress=False)['predictions']
    assert np.abs(other.astype(int) - first).max() > 10
