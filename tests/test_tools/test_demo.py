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
        text=True,
        timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert 'Demo finished' in out
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
        # 2 test scenes of 64x64: sketch | fake | real | seg fake | seg real
        assert grid.shape == (2 * 64, 5 * 64, 3)
    assert osp.isfile(osp.join(demo_dir, 'results.md'))


def test_the_grids_show_the_colorizers_output(demo_dir):
    """Row i: sketch | Colorizer(run)(sketch, seed=GRID_SEED) | ..., as
    tools/colorize.py --seed 0 gives it."""
    run_dir = demo_model(demo_dir)  # the AdvSegLoss run
    grid = cv2.imread(osp.join(demo_dir, 'grid_both.png'))
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
