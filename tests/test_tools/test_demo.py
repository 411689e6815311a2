# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/demo.py (the README's main command) end to end, in miniature: its
grids show what the Colorizer (and tools/colorize.py) gives for the same
model and seed."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from mmadvseg.apis import Colorizer
from mmadvseg.toy.demo import GRID_SEED, demo_model

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


@pytest.fixture(scope='module')
def demo_dir(tmp_path_factory) -> str:
    work_dir = tmp_path_factory.mktemp('demo')
    proc = subprocess.run(
        [
            sys.executable, 'tools/demo.py', '--work-dir',
            str(work_dir), '--iters', '2', '--segmenter-iters', '2',
            '--num-train', '4', '--num-test', '2'
        ],
        cwd=REPO,
        env=dict(os.environ, MMADVSEG_OFFLINE='1'),
        capture_output=True,
        timeout=900)  # bytes: text mode would turn a bar's \r into \n
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 0, out[-4000:]
    assert 'Demo finished' in out
    # quiet: progress bars and the summary; the logs in the work dir
    log = osp.join(str(work_dir), 'demo.log')
    assert f'full log: {log}' in out
    lines = out.replace('\r', '\n').splitlines()
    # the lines a terminal keeps (a progress bar redraws its line with \r)
    assert out.count('\n') < 60, out
    assert not any('mmengine' in line or 'Warning' in line
                   for line in lines), out
    assert any(line.startswith('2 GAN runs (iterations): 100%')
               for line in lines), out
    with open(log) as f:
        assert 'Iter(train)' in f.read()
    return str(work_dir)


def test_demo_runs_end_to_end(demo_dir):
    with open(osp.join(demo_dir, 'results.json')) as f:
        results = json.load(f)
    variants = sorted(run['variant'] for run in results['runs'])
    assert variants == ['baseline', 'both']
    for run in results['runs']:
        assert 0 <= run['metrics']['Toy/mIoU'] <= 1
    for variant in ('baseline', 'both'):
        grid = cv2.imread(osp.join(demo_dir, f'grid_{variant}.png'))
        # 2 test scenes of 64x64, shown at 128 px under a caption strip:
        # sketch | fake | real | seg fake | seg real
        assert grid.shape[0] > 2 * 128 and grid.shape[1:] == (5 * 128, 3)
    assert osp.isfile(osp.join(demo_dir, 'results.md'))


def test_the_grids_show_the_colorizers_output(demo_dir):
    """Row i: sketch | Colorizer(run)(sketch, seed=GRID_SEED) | ..., as
    tools/colorize.py --seed 0 gives it."""
    run_dir = demo_model(demo_dir)  # the AdvSegLoss run
    grid = cv2.imread(osp.join(demo_dir, 'grid_both.png'))
    grid = grid[grid.shape[0] - 2 * 128:][::2, ::2]  # the tiles, at 64 px
    sketches = [grid[64 * i:64 * (i + 1), :64] for i in range(2)]
    colorizer = Colorizer(run_dir)
    assert colorizer.stochastic  # Pix2Pix: the seed matters
    fakes = colorizer(sketches, seed=GRID_SEED)['predictions']
    for i, fake in enumerate(fakes):
        np.testing.assert_array_equal(grid[64 * i:64 * (i + 1), 64:128],
                                      fake)
    other = colorizer(sketches, seed=GRID_SEED + 1)['predictions']
    assert any(np.abs(a.astype(int) - b).max() > 1
               for a, b in zip(fakes, other))


def test_the_demo_model_is_found_from_any_folder(demo_dir, tmp_path,
                                                 monkeypatch):
    """The web page's default model: work_dirs/demo of the checkout, also
    when started elsewhere; a missing one says where to run make demo."""
    from mmadvseg.toy import demo as demo_module
    repo = tmp_path / 'repo'
    (repo / 'work_dirs').mkdir(parents=True)
    os.symlink(demo_dir, repo / 'work_dirs' / 'demo')
    monkeypatch.setattr(demo_module, 'CONFIGS_DIR', str(repo / 'configs'))
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    found = demo_model()
    assert osp.samefile(found, osp.join(demo_dir, 'runs_distinct',
                                        'pix2pix_both_seed0'))
    with pytest.raises(FileNotFoundError,
                       match=f'run `make demo` in {tmp_path}'):
        demo_model('work_dirs/other')
