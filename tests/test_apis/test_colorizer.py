# Copyright (c) mmadvseg contributors. All rights reserved.
"""The Colorizer on tiny models: any size, any image kind, seeds, batches,
work dirs, and one clear error for every unusable model file."""
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
import torch
from conftest import sketch
from PIL import Image

from mmadvseg.apis import Colorizer, ModelFileError


@pytest.fixture(scope='module')
def colorizers(tiny_models) -> dict:
    return {name: Colorizer(*files) for name, files in tiny_models.items()}


@pytest.mark.parametrize('name', ['pix2pix', 'cyclegan'])
@pytest.mark.parametrize('size', [(250, 190), (517, 333), (5, 7)])
def test_outputs_have_exactly_the_input_size(colorizers, name, size):
    out = colorizers[name](sketch(*size), seed=0)
    assert out.shape == size + (3, ) and out.dtype == np.uint8


def test_image_kinds_give_the_output_of_their_rgb_equivalent(
        colorizers, tmp_path):
    gray = sketch(250, 190)[..., 0]
    rgb = np.repeat(gray[..., None], 3, axis=2)
    cv2.imwrite(str(tmp_path / 'rgb.png'), rgb)
    cv2.imwrite(str(tmp_path / 'gray.png'), gray)
    cv2.imwrite(str(tmp_path / '16bit.png'), gray.astype(np.uint16) * 257)
    alpha = np.where(gray < 128, 255, 0).astype(np.uint8)
    cv2.imwrite(str(tmp_path / 'rgba.png'),
                np.dstack([np.zeros_like(rgb), alpha]))
    pil = Image.fromarray(np.ascontiguousarray(np.rot90(gray, -1)))
    exif = pil.getexif()
    exif[0x0112] = 8  # stored rotated 90 deg CW: display rotates it back
    pil.save(tmp_path / 'exif.png', exif=exif.tobytes())
    files = ['rgb.png', 'gray.png', '16bit.png', 'rgba.png', 'exif.png']
    for name, colorizer in colorizers.items():
        outs = colorizer([str(tmp_path / f) for f in files], seed=3,
                         batch_size=2)
        for file, out in zip(files, outs):
            np.testing.assert_array_equal(out, outs[0],
                                          err_msg=f'{name} {file}')
        np.testing.assert_array_equal(colorizer(Image.fromarray(gray),
                                                seed=3), outs[0])


def test_seed_and_batch(colorizers):
    images = [sketch(40, 48, seed=i) for i in range(3)] + [sketch(41, 47)]
    pix2pix = colorizers['pix2pix']
    assert pix2pix.stochastic and not colorizers['cyclegan'].stochastic
    one_by_one = [pix2pix(img, seed=5) for img in images]
    batched = pix2pix(images, seed=5, batch_size=4)
    for a, b in zip(one_by_one, batched):
        assert np.abs(a.astype(int) - b).max() <= 1
    other = pix2pix(images[0], seed=6)
    assert np.abs(other.astype(int) - one_by_one[0]).max() > 10
    cyclegan = colorizers['cyclegan']
    np.testing.assert_array_equal(cyclegan(images[0], seed=1),
                                  cyclegan(images[0], seed=2))


def test_folders_and_resizing(colorizers, tmp_path):
    for i, name in enumerate(('b.png', 'a.png')):
        cv2.imwrite(str(tmp_path / name), sketch(60, 80, seed=i))
    pix2pix = colorizers['pix2pix']
    outs = pix2pix(str(tmp_path), seed=0, size=40)
    assert [o.shape for o in outs] == [(30, 40, 3)] * 2
    np.testing.assert_array_equal(
        outs[0], pix2pix(str(tmp_path / 'a.png'), seed=0, size=40))


def test_work_dir(tiny_models, tmp_path, colorizers, monkeypatch):
    config, checkpoint = tiny_models['pix2pix']
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    shutil.copy(config, work_dir / 'pix2pix.py')
    shutil.copy(checkpoint, work_dir / 'iter_2.pth')
    # written by the runner elsewhere; the work dir was moved since
    (work_dir / 'last_checkpoint').write_text('/gone/work/iter_2.pth')
    colorizer = Colorizer(str(work_dir))
    assert colorizer.checkpoint == str(work_dir / 'iter_2.pth')
    img = sketch(32, 32)
    np.testing.assert_array_equal(colorizer(img, seed=1),
                                  colorizers['pix2pix'](img, seed=1))
    # a relative pointer (as training writes it) is read in the work dir,
    # not in the current directory, even where a file has that name
    (work_dir / 'last_checkpoint').write_text('iter_2.pth')
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'iter_2.pth').write_bytes(b'decoy')
    assert Colorizer(str(work_dir)).checkpoint == str(work_dir / 'iter_2.pth')


def _bad_model_files(tiny_models, tmp_path):
    config, checkpoint = tiny_models['pix2pix']
    corrupt = tmp_path / 'corrupt.pth'
    corrupt.write_bytes(open(checkpoint, 'rb').read()[:300])
    text = tmp_path / 'notes.pth'
    text.write_text('hello')
    foreign = tmp_path / 'segmenter.pth'
    torch.save({'state_dict': {'backbone.conv1.weight': torch.zeros(1)}},
               foreign)
    empty_dir = tmp_path / 'sketches'
    empty_dir.mkdir()
    return [
        ((config, str(tmp_path / 'missing.pth')), 'checkpoint not found'),
        ((config, str(corrupt)), 'corrupt or not a PyTorch checkpoint'),
        ((config, str(text)), 'corrupt or not a PyTorch checkpoint'),
        ((config, str(foreign)), "holds no generator for the 'photo'"),
        ((config, tiny_models['cyclegan'][1]), 'does not match the one'),
        ((str(tmp_path / 'missing.py'), checkpoint), 'config file not found'),
        ((checkpoint, None), 'not a model; pass a training work dir'),
        ((config, None), 'a config needs its checkpoint'),
        ((str(empty_dir), None), 'not a training work dir'),
        ((str(tmp_path / 'missing.onnx'), None), 'ONNX file not found'),
        ((str(tmp_path / 'm.onnx'), checkpoint), 'takes no checkpoint'),
        ((str(text), None), 'not a model'),
    ]


def test_unusable_model_files_are_one_clear_error(tiny_models, tmp_path):
    for (model, checkpoint), message in _bad_model_files(tiny_models,
                                                         tmp_path):
        with pytest.raises(ModelFileError) as info:
            Colorizer(model, checkpoint)
        assert message in str(info.value), str(info.value)
        named = checkpoint if message.startswith(('checkpoint', 'corrupt',
                                                  'holds', 'does')) else model
        assert osp.basename(named) in str(info.value)
        assert '\n' not in str(info.value)


def test_bad_device(tiny_models):
    with pytest.raises(ValueError, match='unknown device'):
        Colorizer(*tiny_models['pix2pix'], device='gpu0')
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match='is not available'):
            Colorizer(*tiny_models['pix2pix'], device='cuda:1')


def test_bf16_precision_is_close_to_fp32_and_checked(tiny_models,
                                                     colorizers):
    image = sketch(96, 80)
    for name, files in tiny_models.items():
        fp32 = colorizers[name](image, seed=2).astype(int)
        bf16 = Colorizer(*files, precision='bf16')(image, seed=2).astype(int)
        assert bf16.shape == fp32.shape
        diff = np.abs(bf16 - fp32)
        assert diff.max() > 0, f'{name}: bf16 ran in fp32'  # it did run
        assert diff.mean() < 2, f'{name}: mean |bf16 - fp32| {diff.mean()}'
    with pytest.raises(ValueError, match='unknown precision'):
        Colorizer(*tiny_models['pix2pix'], precision='fp8')
