# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/demo.py (the README's main command) end to end, in miniature."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def test_demo_runs_end_to_end(tmp_path):
    work_dir = tmp_path / 'demo'
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
    with open(work_dir / 'results.json') as f:
        results = json.load(f)
    variants = sorted(run['variant'] for run in results['runs'])
    assert variants == ['baseline', 'both']
    for run in results['runs']:
        assert 0 <= run['metrics']['Toy/mIoU'] <= 1
    for variant in ('baseline', 'both'):
        grid = cv2.imread(str(work_dir / f'grid_{variant}.png'))
        # 2 test scenes of 64x64: sketch | fake | real | seg fake | seg real
        assert grid.shape == (2 * 64, 5 * 64, 3)
    assert osp.isfile(work_dir / 'results.md')
