# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/colorize.py as a subprocess: parity with tools/test.py on toy
models trained as in the demo, a folder with bad files, unusable model
files."""
import glob
import os
import os.path as osp
import subprocess
import sys
from dataclasses import replace
from typing import Optional

import cv2
import numpy as np
import pytest

from mmadvseg.apis import Colorizer
from mmadvseg.datasets.convert import ConvertSpec
from mmadvseg.datasets.record import write_settings
from mmadvseg.datasets.sketch import build_sketcher
from mmadvseg.testing.tiny_checkpoints import write_tiny_model
from mmadvseg.toy.demo import demo_experiment
from mmadvseg.toy.experiment import Arm, ToyExperiment, run_experiment

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def run(*args: str, env: dict = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=REPO, text=True,
                          capture_output=True, timeout=900,
                          env=dict(os.environ, **(env or {})))


@pytest.fixture(scope='module')
def toy_runs(tmp_path_factory) -> ToyExperiment:
    """Toy Pix2Pix and CycleGAN trained as the demo trains them, in small
    (4 scenes, 2 iterations, segmenters of 2 iterations)."""
    exp = replace(
        demo_experiment(str(tmp_path_factory.mktemp('toy')), iters=2,
                        segmenter_iters=2, num_train=4, num_test=2),
        arms=(Arm('pix2pix', 'baseline'), Arm('cyclegan', 'baseline')),
        batch_size=2)
    assert run_experiment(exp)['info']['failed_runs'] == []
    return exp


#: A test-only hook for tools/test.py: before every test batch (of one
#: image) the generator's dropout layers take the keep-masks the colorizer
#: draws for ``seed`` (``draw_masks``: one numpy generator, the layers in
#: the order they run) instead of torch's.
NUMPY_MASKS_HOOK = """
import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class NumpyDropoutMasks(Hook):

    def __init__(self, seed):
        self.seed = seed

    def before_test_iter(self, runner, batch_idx, data_batch=None):
        rng = np.random.default_rng(self.seed)
        if getattr(self, 'handles', None) is None:
            self.handles = [
                m.register_forward_hook(self._masked)
                for m in runner.model.modules()
                if isinstance(m, torch.nn.Dropout) and m.p > 0]
        self.rng = rng

    def _masked(self, module, inputs, output):
        x = inputs[0]
        keep = self.rng.random((1, ) + tuple(x.shape[1:]),
                               dtype=np.float32) < np.float32(1 - module.p)
        mask = torch.from_numpy(keep.astype(np.float32)).to(x)
        return x * mask / (1 - module.p)
"""


def run_test_tool(exp: ToyExperiment, name: str, tmp_path,
                  seed: Optional[int] = None) -> str:
    """tools/test.py on the run's saved config and last checkpoint, with
    FID as the only metric (the toy segmenters are not what is tested);
    with ``seed``, batches of one image whose dropout masks are the
    colorizer's for ``seed`` (:data:`NUMPY_MASKS_HOOK`). Returns its image
    folder."""
    run_dir = osp.join(exp.runs_dir, name)
    config = glob.glob(osp.join(run_dir, '*.py'))[0]
    lines = [
        f'_base_ = {config!r}',
        "test_evaluator = dict(_delete_=True, type='Evaluator', metrics=["
        "dict(type='AdvSegFIDKID', prefix='FID', fake_key='fake_photo', "
        "real_key='img_photo')])"
    ]
    if seed is not None:
        from mmengine import Config
        (tmp_path / 'numpy_masks_hook.py').write_text(NUMPY_MASKS_HOOK)
        imports = Config.fromfile(config).custom_imports['imports']
        lines += [
            f'custom_imports = dict(imports={imports + ["numpy_masks_hook"]}'
            ', allow_failed_imports=False)',
            f"custom_hooks = [dict(type='NumpyDropoutMasks', seed={seed})]",
            'test_dataloader = dict(batch_size=1)'
        ]
    derived = tmp_path / 'test_config.py'
    derived.write_text('\n'.join(lines) + '\n')
    proc = run('tools/test.py', str(derived), osp.join(run_dir, 'iter_2.pth'),
               '--work-dir', str(tmp_path / 'test'), env=dict(
                   MMADVSEG_OFFLINE='1', PYTHONPATH=str(tmp_path),
                   TORCH_HOME=osp.join(exp.work_dir, 'torch_home')))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return str(tmp_path / 'test' / 'images')


def assert_same(colorized: str, tested: str) -> None:
    a, b = (cv2.imread(p).astype(int) for p in (colorized, tested))
    assert a.shape == b.shape == (64, 64, 3)
    assert np.abs(a - b).max() <= 1, (colorized, tested)


def test_pix2pix_matches_tools_test(toy_runs, tmp_path):
    """Pix2Pix tests with dropout on; tools/test.py's masks are set here,
    image by image, to those the colorizer's --seed gives every image."""
    run_dir = osp.join(toy_runs.runs_dir, 'pix2pix_baseline_seed0')
    images = run_test_tool(toy_runs, 'pix2pix_baseline_seed0', tmp_path,
                           seed=7)
    pairs = osp.join(toy_runs.scenes.root, 'paired', 'test')
    sketches = tmp_path / 'sketches'
    sketches.mkdir()
    for name in sorted(os.listdir(pairs)):
        pair = cv2.imread(osp.join(pairs, name))
        cv2.imwrite(str(sketches / name), pair[:, :pair.shape[1] // 2])
    out = tmp_path / 'out'
    proc = run('tools/colorize.py', run_dir, str(sketches), '--out',
               str(out), '--seed', '7', '--batch-size', '2')
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = sorted(os.listdir(sketches))
    assert len(names) == 2 and sorted(os.listdir(out)) == names
    for name in names:
        assert_same(str(out / name), osp.join(images, name))
    # the seed matters: another one gives other colours
    [other] = Colorizer(run_dir)(str(sketches / names[0]),
                                 seed=8)['predictions']
    expected = cv2.imread(osp.join(images, names[0])).astype(int)
    assert np.abs(other - expected).max() > 1


def test_cyclegan_matches_tools_test(toy_runs, tmp_path):
    """CycleGAN has no dropout: tools/test.py in the config's batches of
    10, the colorizer image by image."""
    run_dir = osp.join(toy_runs.runs_dir, 'cyclegan_baseline_seed0')
    config = osp.join(run_dir, 'cyclegan_baseline_toy.py')
    checkpoint = osp.join(run_dir, 'iter_2.pth')
    images = run_test_tool(toy_runs, 'cyclegan_baseline_seed0', tmp_path)
    sketches = osp.join(toy_runs.scenes.root, 'unpaired', 'testA')
    out = tmp_path / 'out'
    proc = run('tools/colorize.py', config, checkpoint, sketches, '--out',
               str(out), '--no-progress')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'dropout' not in proc.stdout
    names = sorted(os.listdir(sketches))
    assert sorted(os.listdir(out)) == names
    for name in names:
        assert_same(str(out / name), osp.join(images, name))


def test_a_folder_with_bad_files(tmp_path):
    config, checkpoint = write_tiny_model(tmp_path / 'model')
    src = tmp_path / 'in'
    (src / 'sub').mkdir(parents=True)
    img = np.full((333, 517, 3), 255, np.uint8)
    cv2.line(img, (10, 10), (400, 300), (0, 0, 0), 3)
    cv2.imwrite(str(src / 'good.png'), img)
    cv2.imwrite(str(src / 'sub' / 'small.jpg'), img[:190, :250])
    data = (src / 'good.png').read_bytes()
    (src / 'corrupt.png').write_bytes(data[:len(data) // 3])
    (src / 'text.png').write_text('this is not a PNG')
    out = tmp_path / 'out'
    proc = run('tools/colorize.py', config, checkpoint, str(src), '--out',
               str(out), '--batch-size', '2', '--grid')
    assert proc.returncode == 1
    assert cv2.imread(str(out / 'good.png')).shape == (333, 517, 3)
    assert cv2.imread(str(out / 'sub' / 'small.png')).shape == (190, 250, 3)
    assert sorted(os.listdir(out)) == ['good.png', 'good_grid.png', 'sub']
    assert '2 colorized into' in proc.stdout and '2 failed' in proc.stdout
    seed = proc.stdout.split('test-time dropout seed ')[1].split()[0]
    assert f'(random; --seed {seed} repeats this run)' in proc.stdout
    assert 'grids: sketch | colour (no segmentation: ' in proc.stdout
    failed = [line for line in proc.stderr.splitlines() if 'FAILED' in line]
    assert len(failed) == 2
    assert any('corrupt.png' in line for line in failed)
    assert any('text.png' in line for line in failed)
    assert 'Traceback' not in proc.stderr
    # a rerun into the same folder is refused, unless --overwrite
    before = (out / 'good.png').read_bytes()
    again = run('tools/colorize.py', config, checkpoint, str(src), '--out',
                str(out), '--seed', '1')
    assert again.returncode == 1
    assert again.stderr.startswith(f'error: {out} holds outputs of an '
                                   'earlier run')
    assert '--overwrite' in again.stderr and 'Traceback' not in again.stderr
    assert (out / 'good.png').read_bytes() == before
    again = run('tools/colorize.py', config, checkpoint, str(src), '--out',
                str(out), '--seed', '1', '--overwrite')
    assert again.returncode == 1 and '2 colorized' in again.stdout
    assert (out / 'good.png').read_bytes() != before


def test_from_photo_with_the_settings_a_converter_recorded(tmp_path):
    config, checkpoint = write_tiny_model(tmp_path / 'model')
    dataset = tmp_path / 'dataset'
    sketcher = build_sketcher('canny', low=30, high=90)
    write_settings(str(dataset), ConvertSpec(str(dataset),
                                             sketcher).settings())
    photo = cv2.GaussianBlur(np.random.default_rng(0).integers(
        0, 256, (70, 90, 3), np.uint8), (9, 9), 3)
    cv2.imwrite(str(tmp_path / 'photo.jpg'), photo)
    out = tmp_path / 'out'
    proc = run('tools/colorize.py', config, checkpoint,
               str(tmp_path / 'photo.jpg'), '--out', str(out),
               '--from-photo', '--dataset', str(dataset), '--seed', '0',
               '--no-progress')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "photos sketched with the training data's sketch settings" in \
        proc.stdout
    assert 'high=90' in proc.stdout
    drawn = cv2.imread(str(out / 'photo_sketch.png'))
    np.testing.assert_array_equal(
        drawn[..., 0], sketcher(cv2.imread(str(tmp_path / 'photo.jpg'))))
    assert cv2.imread(str(out / 'photo.png')).shape == (70, 90, 3)


@pytest.mark.parametrize('bad', ['corrupt', 'foreign', 'missing'])
def test_an_unusable_checkpoint_is_one_error_before_any_image(tmp_path,
                                                              bad):
    config, checkpoint = write_tiny_model(tmp_path / 'model')
    foreign = write_tiny_model(tmp_path / 'other', 'AdvSegCycleGAN')[1]
    path = {'missing': str(tmp_path / 'nope.pth'), 'foreign': foreign,
            'corrupt': str(tmp_path / 'cut.pth')}[bad]
    with open(checkpoint, 'rb') as f:
        (tmp_path / 'cut.pth').write_bytes(f.read()[:1000])
    (tmp_path / 'sketch.png').write_text('never read')
    out = tmp_path / 'out'
    proc = run('tools/colorize.py', config, path, str(tmp_path /
                                                     'sketch.png'),
               '--out', str(out))
    assert proc.returncode == 1
    assert proc.stderr.startswith(f'error: {path}: ')
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not out.exists()


def test_bad_arguments_are_one_error_line(tmp_path):
    config, checkpoint = write_tiny_model(tmp_path / 'model')
    (tmp_path / 'empty').mkdir()
    photo = str(tmp_path / 'photo.png')
    cv2.imwrite(photo, np.full((16, 16, 3), 128, np.uint8))
    for args, message in [
        ([config], 'needs its checkpoint'),
        ([config, checkpoint, str(tmp_path / 'empty')], 'no images found'),
        ([config, checkpoint, photo, '--size', '4'],
         '--size must be at least 8'),
        ([config, checkpoint, photo, '--sketch', 'canny'],
         'need --from-photo'),
        ([config, checkpoint, photo, '--native', '--size', '16'],
         '--native and --size exclude each other'),
        ([config, checkpoint, photo, '--from-photo', '--dataset',
          str(tmp_path / 'empty')], 'no record of how the training data'),
    ]:
        proc = run('tools/colorize.py', *args, '--out', str(tmp_path / 'o'))
        assert proc.returncode == 1, args
        assert proc.stderr.startswith('error: ') and message in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not (tmp_path / 'o').exists()


def test_full_size_photos_at_the_working_scale(toy_runs, tmp_path):
    """A toy photo at 5x its size, --from-photo with no other flag: sketched
    with the default for photos and colorized at the model's 64 px, written
    at the photo's size, with no third-party warning."""
    run_dir = osp.join(toy_runs.runs_dir, 'pix2pix_baseline_seed0')
    photo = cv2.imread(osp.join(toy_runs.scenes.img_dir('test'),
                                '000000.png'))
    big = cv2.resize(photo, (320, 320), interpolation=cv2.INTER_CUBIC)
    cv2.imwrite(str(tmp_path / 'big.jpg'), big)
    out = tmp_path / 'out'
    proc = run('tools/colorize.py', run_dir, str(tmp_path / 'big.jpg'),
               '--out', str(out), '--from-photo', '--seed', '0')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'the default for photos, XDoG preset xdog_paper' in proc.stdout
    assert "working scale (64 px" in proc.stdout
    assert 'Warning' not in proc.stderr, proc.stderr
    colour = cv2.imread(str(out / 'big.png'))
    assert colour.shape == (320, 320, 3)
    assert cv2.imread(str(out / 'big_sketch.png')).shape == (320, 320, 3)
