# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/analysis/fid.py as a command line (its logic, and the parity with
pytorch-fid, are tested in tests/test_evaluation/test_image_folder.py)."""
import json
import os
import os.path as osp
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from mmadvseg.evaluation.inception import FID_WEIGHTS_NAME, FID_WEIGHTS_URL
from mmadvseg.testing import save_random_inception_weights

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'analysis' / 'fid.py'


def _write_images(folder: Path, num: int, seed: int) -> str:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for i in range(num):
        img = rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)
        Image.fromarray(img).save(folder / f'{i:03d}.png')
    return str(folder)


def _run(*args: str, torch_home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TORCH_HOME=str(torch_home), MMADVSEG_OFFLINE='1')
    return subprocess.run([sys.executable, str(TOOL), *args],
                          capture_output=True,
                          text=True,
                          env=env,
                          cwd=str(REPO))


def test_command_line(tmp_path):
    real = _write_images(tmp_path / 'r', 2, seed=2)
    fake = _write_images(tmp_path / 'f', 2, seed=3)
    weights = save_random_inception_weights(
        str(tmp_path / 'weights' / FID_WEIGHTS_NAME), seed=1)
    out = tmp_path / 'fid.json'
    proc = _run(
        real,
        fake,
        '--inception',
        weights,
        '--device',
        'cpu',
        '--num-workers',
        '0',
        '--kid-subsets',
        '3',
        '--json',
        str(out),
        torch_home=tmp_path / 'empty_home')
    assert proc.returncode == 0, proc.stderr
    assert 'FID:' in proc.stdout and 'KID:' in proc.stdout
    assert '2 real, 2 fake' in proc.stdout
    assert '%' in proc.stderr  # tqdm progress bars
    saved = json.loads(out.read_text())
    assert saved['num_real'] == saved['num_fake'] == 2
    assert osp.samefile(saved['inception'], weights)
    assert f'FID: {saved["fid"]:.6f}' in proc.stdout


def test_missing_weights_message(tmp_path):
    real = _write_images(tmp_path / 'r', 2, seed=0)
    proc = _run(real, real, '--device', 'cpu', torch_home=tmp_path / 'empty')
    assert proc.returncode == 1
    msg = proc.stderr.strip()
    assert msg.startswith('error: ') and '\n' not in msg  # one line
    assert FID_WEIGHTS_NAME in msg and FID_WEIGHTS_URL in msg
    assert str(tmp_path / 'empty' / 'hub' / 'checkpoints') in msg
    assert '--inception' in msg
    # a folder that is not there is named
    proc = _run(
        str(tmp_path / 'nowhere'), real, torch_home=tmp_path / 'empty')
    assert proc.returncode == 1
    assert proc.stderr.strip() == f'error: {tmp_path / "nowhere"}: not a ' \
        'directory'


def test_bad_input_is_one_line_before_any_work(tmp_path):
    """A damaged image in the fake folder is named before the real folder
    is processed (no progress bar, no traceback); options below 1 are
    refused by the parser."""
    real = _write_images(tmp_path / 'r', 3, seed=0)
    fake = _write_images(tmp_path / 'f', 3, seed=1)
    png = (tmp_path / 'f' / '001.png').read_bytes()
    (tmp_path / 'f' / '001.png').write_bytes(png[:len(png) // 2])
    weights = save_random_inception_weights(
        str(tmp_path / 'weights' / FID_WEIGHTS_NAME), seed=1)
    proc = _run(real, fake, '--inception', weights, '--device', 'cpu',
                torch_home=tmp_path / 'home')
    assert proc.returncode == 1
    msg = proc.stderr.strip()
    assert '\n' not in msg and 'Traceback' not in msg, msg
    assert msg.startswith(f'error: {tmp_path / "f" / "001.png"}: cannot '
                          'read the image')
    for option in ('--batch-size', '--kid-subsets'):
        proc = _run(real, real, option, '0', torch_home=tmp_path / 'home')
        assert proc.returncode == 2
        assert f'argument {option}: 0 is not at least 1' in proc.stderr
