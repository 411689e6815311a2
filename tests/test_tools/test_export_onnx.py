# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/deployment/export_onnx.py, then tools/colorize.py on the ONNX file
(onnxruntime), as subprocesses."""
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np

from mmadvseg.testing import make_paired
from mmadvseg.testing.tiny_checkpoints import write_tiny_model

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=REPO, text=True,
                          capture_output=True, timeout=600)


def test_export_then_colorize_with_onnxruntime(tmp_path):
    config, checkpoint = write_tiny_model(
        tmp_path, 'AdvSegPix2Pix',
        data_root=make_paired(tmp_path / 'data', size=48))
    model = str(tmp_path / 'model.onnx')
    proc = run('tools/deployment/export_onnx.py', config, checkpoint,
               '--out', model)
    assert proc.returncode == 0, proc.stderr[-3000:]
    diff = float(proc.stdout.split('max abs difference ')[1].split()[0])
    assert diff <= 1e-3
    assert 'the test sketches of the config (48x48, 41x45' in proc.stdout
    sketch = np.full((190, 250, 3), 255, np.uint8)
    cv2.circle(sketch, (120, 90), 50, (0, 0, 0), 2)
    cv2.imwrite(str(tmp_path / 'circle.png'), sketch)
    out = tmp_path / 'out'
    proc = run('-X', 'importtime', 'tools/colorize.py', model,
               str(tmp_path / 'circle.png'), '--out', str(out), '--seed', '3',
               '--no-progress')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'test-time dropout seed 3 (given)' in proc.stdout
    # the light path: neither torch nor OpenMMLab is imported
    imported = {line.rsplit('|', 1)[-1].strip().split('.')[0]
                for line in proc.stderr.splitlines()
                if line.startswith('import time:')}
    assert 'onnxruntime' in imported and 'cv2' in imported
    assert not imported & {'torch', 'mmengine', 'mmcv', 'mmagic', 'mmdet'}
    assert cv2.imread(str(out / 'circle.png')).shape == (190, 250, 3)


def test_refusals_write_nothing(tmp_path):
    config, checkpoint = write_tiny_model(tmp_path, 'AdvSegCycleGAN')
    model = tmp_path / 'model.onnx'
    # no test data in the config: the check images must be given
    proc = run('tools/deployment/export_onnx.py', config, checkpoint,
               '--out', str(model))
    assert proc.returncode == 1 and not model.exists()
    assert proc.stderr.startswith(f'error: {config}: its test sketches')
    assert '--check-images' in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    sketch = np.full((40, 56, 3), 255, np.uint8)
    cv2.circle(sketch, (28, 20), 12, (0, 0, 0), 2)
    cv2.imwrite(str(tmp_path / 'check.png'), sketch)
    proc = run('tools/deployment/export_onnx.py', config, checkpoint,
               '--out', str(model), '--tolerance', '0', '--check-images',
               str(tmp_path / 'check.png'))
    assert proc.returncode == 1
    assert 'is not written' in proc.stderr and 'Traceback' not in proc.stderr
    assert not model.exists()
    proc = run('tools/deployment/export_onnx.py', config, config, '--out',
               str(model))
    assert proc.returncode == 1 and not model.exists()
    assert proc.stderr.startswith(f'error: {config}: cannot read the '
                                  'checkpoint')
    assert len(proc.stderr.strip().splitlines()) == 1
