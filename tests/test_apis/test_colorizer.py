# Copyright (c) mmadvseg contributors. All rights reserved.
"""The Colorizer on tiny models: any size, any image kind, seeds, batches,
work dirs, output folders (bad files named and skipped, photos sketched
first, grids), and one clear error for every unusable model file."""
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
import torch
from conftest import sketch
from PIL import Image

from mmadvseg.apis import Colorizer, ModelFileError
from mmadvseg.apis.inputs import resize_longer, resize_to
from mmadvseg.datasets.sketch import build_sketcher
from mmadvseg.visualization import make_grid


@pytest.fixture(scope='module')
def colorizers(tiny_models) -> dict:
    return {name: Colorizer(*files) for name, files in tiny_models.items()}


@pytest.mark.parametrize('name', ['pix2pix', 'cyclegan'])
@pytest.mark.parametrize('size', [(250, 190), (517, 333), (5, 7)])
def test_outputs_have_exactly_the_input_size(colorizers, name, size):
    [out] = colorizers[name](sketch(*size), seed=0)['predictions']
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
                         batch_size=2)['predictions']
        for file, out in zip(files, outs):
            np.testing.assert_array_equal(out, outs[0],
                                          err_msg=f'{name} {file}')
        np.testing.assert_array_equal(
            colorizer(Image.fromarray(gray), seed=3)['predictions'][0],
            outs[0])


def test_seed_and_batch(colorizers):
    images = [sketch(40, 48, seed=i) for i in range(3)] + [sketch(41, 47)]
    pix2pix = colorizers['pix2pix']
    assert pix2pix.stochastic and not colorizers['cyclegan'].stochastic
    one_by_one = [pix2pix(img, seed=5)['predictions'][0] for img in images]
    batched = pix2pix(images, seed=5, batch_size=4)['predictions']
    for a, b in zip(one_by_one, batched):
        assert np.abs(a.astype(int) - b).max() <= 1
    [other] = pix2pix(images[0], seed=6)['predictions']
    assert np.abs(other.astype(int) - one_by_one[0]).max() > 10
    cyclegan = colorizers['cyclegan']
    np.testing.assert_array_equal(cyclegan(images[0], seed=1)['predictions'],
                                  cyclegan(images[0], seed=2)['predictions'])
    # a drawn seed is returned, and repeats the run
    drawn = pix2pix(images[0])
    assert drawn['notes'][0] == (f'test-time dropout seed {drawn["seed"]} '
                                 f'(random; --seed {drawn["seed"]} repeats '
                                 'this run)')
    np.testing.assert_array_equal(
        drawn['predictions'][0],
        pix2pix(images[0], seed=drawn['seed'])['predictions'][0])


def test_folders_and_resizing(colorizers, tmp_path):
    for i, name in enumerate(('b.png', 'a.png')):
        cv2.imwrite(str(tmp_path / name), sketch(60, 80, seed=i))
    pix2pix = colorizers['pix2pix']
    outs = pix2pix(str(tmp_path), seed=0, size=40)['predictions']
    assert [o.shape for o in outs] == [(60, 80, 3)] * 2  # the inputs'
    np.testing.assert_array_equal(
        outs[0],
        pix2pix(str(tmp_path / 'a.png'), seed=0, size=40)['predictions'][0])
    with pytest.raises(ValueError, match='size must be at least 8'):
        pix2pix(str(tmp_path), size=4)
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(ValueError, match='no images found in .*empty'):
        pix2pix(str(empty))
    assert pix2pix([])['predictions'] == []


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
    np.testing.assert_array_equal(
        colorizer(img, seed=1)['predictions'],
        colorizers['pix2pix'](img, seed=1)['predictions'])
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
    broken = tmp_path / 'broken.py'
    broken.write_text('model = dict(\n')
    return [
        ((config, str(tmp_path / 'missing.pth')), 'checkpoint not found'),
        ((config, str(corrupt)), 'corrupt or not a PyTorch checkpoint'),
        ((config, str(text)), 'corrupt or not a PyTorch checkpoint'),
        ((config, str(foreign)), "holds no generator for the 'photo'"),
        ((config, tiny_models['cyclegan'][1]), 'does not match the one'),
        ((str(tmp_path / 'missing.py'), checkpoint), 'config file not found'),
        ((str(broken), checkpoint), 'line 1: syntax error (\''),
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
        [fp32] = colorizers[name](image, seed=2)['predictions']
        [bf16] = Colorizer(*files, precision='bf16')(image,
                                                     seed=2)['predictions']
        fp32, bf16 = fp32.astype(int), bf16.astype(int)
        assert bf16.shape == fp32.shape
        diff = np.abs(bf16 - fp32)
        assert diff.max() > 0, f'{name}: bf16 ran in fp32'  # it did run
        assert diff.mean() < 2, f'{name}: mean |bf16 - fp32| {diff.mean()}'
    with pytest.raises(ValueError, match='unknown precision'):
        Colorizer(*tiny_models['pix2pix'], precision='fp8')


@pytest.mark.parametrize('native', [True, False])
def test_bf16_on_a_cpu_that_emulates_it_says_so(tiny_models, monkeypatch,
                                                native):
    """On a CPU without AVX-512 oneDNN emulates bf16 (far slower than
    fp32): the result's notes say so and name the fix."""
    monkeypatch.setattr(torch.ops.mkldnn, '_is_mkldnn_bf16_supported',
                        lambda: native)
    notes = Colorizer(*tiny_models['pix2pix'], precision='bf16')(
        sketch(32, 32), seed=0)['notes']
    emulated = [n for n in notes if 'emulated' in n]
    assert emulated == ([] if native else [
        'bf16 is emulated on this CPU (no AVX-512 or AMX): far slower than '
        'fp32 (--precision fp32)'])
    fp32 = Colorizer(*tiny_models['pix2pix'])(sketch(32, 32), seed=0)
    assert not [n for n in fp32['notes'] if 'emulated' in n]


def _all_files(folder) -> list:
    return sorted(
        osp.relpath(osp.join(root, f), folder)
        for root, _, files in os.walk(folder) for f in files)


def test_good_files_are_written_and_bad_ones_named(colorizers, tmp_path):
    pix2pix = colorizers['pix2pix']
    src = tmp_path / 'in'
    (src / 'sub').mkdir(parents=True)
    cv2.imwrite(str(src / 'a.png'), sketch(250, 190))
    cv2.imwrite(str(src / 'sub' / 'b.jpg'), sketch(517, 333, seed=1))
    good = (src / 'a.png').read_bytes()
    (src / 'cut.png').write_bytes(good[:len(good) // 2])
    (src / 'notes.png').write_text('a text file named .png')
    out = tmp_path / 'out'
    result = pix2pix(str(src), seed=3, batch_size=2, out_dir=str(out),
                     show_progress=False)
    assert _all_files(out) == ['a.png', osp.join('sub', 'b.png')]
    assert result['written'] == [str(out / 'a.png'),
                                 str(out / 'sub' / 'b.png')]
    assert cv2.imread(str(out / 'sub' / 'b.png')).shape == (517, 333, 3)
    [expected] = pix2pix(str(src / 'a.png'), seed=3)['predictions']
    np.testing.assert_array_equal(cv2.imread(str(out / 'a.png')), expected)
    # inputs in order (a, cut, notes, sub/b): the failed ones have None
    np.testing.assert_array_equal(result['predictions'][0], expected)
    assert [p is None for p in result['predictions']] == [False, True, True,
                                                          False]
    failed = dict(result['failed'])
    assert sorted(map(osp.basename, failed)) == ['cut.png', 'notes.png']
    assert all(osp.basename(path) in reason
               for path, reason in failed.items())
    # the output folder inside the input folder is not an input next time
    again = pix2pix(str(tmp_path), seed=3, out_dir=str(out),
                    return_preds=False, show_progress=False, overwrite=True)
    assert len(again['written']) == 2 and len(again['failed']) == 2
    assert again['predictions'] == [None] * 4
    # without an output folder, an unreadable input is an error
    with pytest.raises(ValueError, match='cut.png'):
        pix2pix(str(src / 'cut.png'))


def test_an_output_that_cannot_be_written_is_named(colorizers, tmp_path):
    src = tmp_path / 'in'
    (src / 'sub').mkdir(parents=True)
    for name in ('a.png', 'sub/b.png'):
        cv2.imwrite(str(src / name), sketch(16, 24))
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'sub').write_text('a file where the sub-folder goes')
    result = colorizers['pix2pix'](str(src), seed=0, out_dir=str(out),
                                   show_progress=False)
    assert result['written'] == [str(out / 'a.png')]
    [(path, reason)] = result['failed']
    assert path == str(src / 'sub' / 'b.png')
    assert reason.startswith(f'{out / "sub" / "b.png"}: cannot write')
    assert _all_files(out) == ['a.png', 'sub']


def test_clashing_outputs_are_refused_before_writing(colorizers, tmp_path):
    for name in ('x.png', 'x.jpg'):
        cv2.imwrite(str(tmp_path / name), sketch(16, 16))
    with pytest.raises(ValueError, match=r'x\.png \(and 0 more\)'):
        colorizers['pix2pix'](str(tmp_path), out_dir=str(tmp_path / 'o'))
    assert not (tmp_path / 'o').exists()


def test_arrays_into_a_folder_and_grids_returned(colorizers, tmp_path):
    images = [sketch(20, 28), sketch(24, 24, seed=1)]
    cyclegan = colorizers['cyclegan']
    result = cyclegan(images, out_dir=str(tmp_path), return_vis=True,
                      show_progress=False)
    assert _all_files(tmp_path) == ['000000.png', '000001.png']
    assert result['notes'][-1] == ('grids: sketch | colour (no '
                                   "segmentation: the model's config names "
                                   'no segmenter)')
    for img, pred, vis in zip(images, result['predictions'],
                              result['visualization']):
        np.testing.assert_array_equal(vis, make_grid(img, pred))
    np.testing.assert_array_equal(cv2.imread(str(tmp_path / '000001.png')),
                                  result['predictions'][1])
    with pytest.raises(TypeError, match='unexpected keyword.*sed'):
        cyclegan(images, sed=3)


def test_photos_are_sketched_first_and_saved_with_grids(colorizers,
                                                        tmp_path):
    pix2pix = colorizers['pix2pix']
    photo = np.random.default_rng(0).integers(0, 256, (60, 90, 3), np.uint8)
    cv2.imwrite(str(tmp_path / 'photo.png'), cv2.GaussianBlur(photo, (9, 9),
                                                              3))
    out = tmp_path / 'out'
    with pytest.raises(ValueError, match='need --from-photo'):
        pix2pix(str(tmp_path / 'photo.png'), sketch='canny')
    result = pix2pix(str(tmp_path / 'photo.png'), seed=1, size=45,
                     out_dir=str(out), grid=True, from_photo=True,
                     sketch='canny', canny_low=30, show_progress=False)
    assert result['written'] == [str(out / 'photo.png')]
    assert 'photos sketched with the --sketch options: canny (low=30)' in \
        result['notes']
    assert _all_files(out) == ['photo.png', 'photo_grid.png',
                               'photo_sketch.png']
    # sketched and colorized at 45 px, both written at the photo's size
    small = build_sketcher('canny', low=30)(cv2.resize(
        cv2.imread(str(tmp_path / 'photo.png')), (45, 30),
        interpolation=cv2.INTER_AREA))
    small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
    drawn = cv2.imread(str(out / 'photo_sketch.png'))
    np.testing.assert_array_equal(drawn, resize_to(small, (60, 90)))
    [colour] = pix2pix(small, seed=1, native=True)['predictions']
    colour = resize_to(colour, (60, 90))
    np.testing.assert_array_equal(cv2.imread(str(out / 'photo.png')),
                                  colour)
    np.testing.assert_array_equal(cv2.imread(str(out / 'photo_grid.png')),
                                  make_grid(drawn, colour))


def test_partials_of_killed_runs_are_removed(colorizers, tmp_path):
    """A colorize.py killed while writing left ``.partial`` files that no
    later run removed; a running writer's own stay."""
    src = tmp_path / 'in'
    src.mkdir()
    cv2.imwrite(str(src / 'a.png'), sketch(40, 30))
    out = tmp_path / 'out'
    (out / 'sub').mkdir(parents=True)
    dead = 2**22 + 1
    stale = [f'a.png.{dead}.0a1b2c3d.partial',
             osp.join('sub', f'b.png.{dead}.0a1b2c3d.partial')]
    alive = f'c.png.{os.getpid()}.0a1b2c3d.partial'
    for name in stale + [alive]:
        (out / name).write_bytes(b'half a png')
    colorizers['pix2pix'](str(src), seed=0, out_dir=str(out),
                          show_progress=False)
    assert _all_files(out) == ['a.png', alive]


@pytest.fixture(scope='module')
def scaled(tiny_models, tmp_path_factory) -> Colorizer:
    """The tiny Pix2Pix with a test pipeline that resizes to 32 px."""
    from mmengine.config import Config
    cfg = Config.fromfile(tiny_models['pix2pix'][0])
    cfg.test_dataloader.dataset.pipeline = [
        dict(type='LoadPairedImageFromFile', key='pair'),
        dict(type='Resize', keys=['img_A', 'img_B'], scale=(32, 32))]
    config = str(tmp_path_factory.mktemp('scaled') / 'scaled.py')
    cfg.dump(config)
    return Colorizer(config, tiny_models['pix2pix'][1])


@pytest.mark.parametrize('shape', [(96, 64), (300, 200), (1, 5)])
def test_the_working_scale_round_trip(scaled, shape):
    """Translated at the config's 32 px, given back at the input's size."""
    assert scaled.work_size == 32
    img = sketch(*shape)
    result = scaled(img, seed=4)
    [out] = result['predictions']
    assert out.shape == shape + (3, )
    [small] = scaled(resize_longer(img, 32), seed=4, native=True)[
        'predictions']
    np.testing.assert_array_equal(out, resize_to(small, shape))
    assert "working scale (32 px, from its config), resized back" in \
        result['notes'][1]
    [native] = scaled(img, seed=4, native=True)['predictions']
    assert native.shape == out.shape
    if min(shape) > 8:  # at full size the generator draws other colours
        assert np.abs(native.astype(int) - out).mean() > 1
    with pytest.raises(ValueError, match='--native and --size'):
        scaled(img, native=True, size=16)


def test_reruns_are_refused_without_overwrite(colorizers, tmp_path):
    src = tmp_path / 'in'
    src.mkdir()
    cv2.imwrite(str(src / 'a.png'), sketch(20, 20))
    out = tmp_path / 'out'
    pix2pix = colorizers['pix2pix']
    pix2pix(str(src), seed=0, out_dir=str(out), show_progress=False)
    first = (out / 'a.png').read_bytes()
    for grid in (False, True):  # also when only a grid would be new
        with pytest.raises(ValueError, match='holds outputs of an earlier '
                           'run .*a.png.*--overwrite'):
            pix2pix(str(src), seed=1, out_dir=str(out), grid=grid)
    assert (out / 'a.png').read_bytes() == first
    assert _all_files(out) == ['a.png']
    pix2pix(str(src), seed=1, out_dir=str(out), overwrite=True,
            show_progress=False)
    assert (out / 'a.png').read_bytes() != first
