# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/analysis/fid.py: parity with pytorch-fid on folders, the command
line, and the benchmark's CI mode."""
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from mmadvseg.evaluation.inception import (
    FID_WEIGHTS_NAME,
    FID_WEIGHTS_URL,
    save_random_inception_weights,
)

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'analysis' / 'fid.py'
BENCH = REPO / 'tools' / 'analysis' / 'benchmark_fid.py'


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _no_download(monkeypatch):

    def _refuse(url, *args, **kwargs):
        raise AssertionError(f'a test tried to download {url}')

    monkeypatch.setattr(torch.hub, 'download_url_to_file', _refuse)


@pytest.fixture(scope='module')
def torch_home(tmp_path_factory) -> Path:
    """A ``$TORCH_HOME`` whose hub cache holds random-init FID weights."""
    home = tmp_path_factory.mktemp('fid_torch_home')
    save_random_inception_weights(
        str(home / 'hub' / 'checkpoints' / FID_WEIGHTS_NAME), seed=1)
    return home


def _write_images(folder: Path, num: int, size: int, seed: int,
                  block: bool) -> Path:
    """Coloured waves (+ a random block): two distinguishable sets."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    for i in range(num):
        img = np.empty((size, size, 3))
        for c in range(3):
            freq = rng.uniform(0.5, 3, 2)
            img[..., c] = rng.uniform(40, 255) * (0.5 + 0.5 * np.sin(
                2 * np.pi * (freq[0] * xx + freq[1] * yy) +
                rng.uniform(0, 6)))
        if block:
            x0, y0 = rng.integers(0, size // 2, 2)
            img[y0:y0 + size // 3, x0:x0 + size // 3] = rng.uniform(0, 255, 3)
        img = np.clip(img + rng.normal(0, 8, img.shape), 0, 255)
        # PNG and JPEG, as pytorch-fid picks up both
        ext = 'png' if i % 3 else 'jpg'
        Image.fromarray(img.astype(np.uint8)).save(folder / f'{i:03d}.{ext}')
    return folder


@pytest.fixture(scope='module')
def folders(tmp_path_factory) -> tuple:
    root = tmp_path_factory.mktemp('fid_folders')
    real = _write_images(root / 'real', 8, 32, seed=0, block=False)
    fake = _write_images(root / 'fake', 7, 40, seed=1, block=True)
    (root / 'real' / 'notes.txt').write_text('not an image')
    return str(real), str(fake)


def test_fid_parity_with_pytorch_fid(torch_home, folders, tmp_path,
                                     monkeypatch, capsys):
    """Same weights, same folders: our FID equals pytorch-fid's (the function
    `python -m pytorch_fid` runs) to 1e-3 relative."""
    from pytorch_fid.fid_score import calculate_fid_given_paths
    monkeypatch.setenv('TORCH_HOME', str(torch_home))
    tool = _load(TOOL, 'fid_tool')
    out = tmp_path / 'out' / 'fid.json'
    result = tool.main([
        *folders, '--device', 'cpu', '--num-workers', '0', '--kid-subsets',
        '20', '--json',
        str(out)
    ])
    reference = calculate_fid_given_paths(
        list(folders), batch_size=50, device='cpu', dims=2048, num_workers=0)
    assert result['fid'] == pytest.approx(reference, rel=1e-3)
    assert result['fid'] > 0
    assert result['num_real'] == 8 and result['num_fake'] == 7
    saved = json.loads(out.read_text())
    assert saved['fid'] == pytest.approx(result['fid'])
    assert saved['kid'] == pytest.approx(result['kid'])
    assert saved['inception'].endswith(FID_WEIGHTS_NAME)
    printed = capsys.readouterr().out
    assert 'FID:' in printed and 'KID:' in printed and '8 real' in printed


def test_missing_weights_message(folders, tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'empty'))
    tool = _load(TOOL, 'fid_tool')
    with pytest.raises(SystemExit) as err:
        tool.main([*folders, '--device', 'cpu'])
    msg = str(err.value)
    assert FID_WEIGHTS_NAME in msg and FID_WEIGHTS_URL in msg
    assert str(tmp_path / 'empty' / 'hub' / 'checkpoints') in msg


def test_command_line(torch_home, tmp_path):
    real = _write_images(tmp_path / 'r', 2, 24, seed=2, block=False)
    fake = _write_images(tmp_path / 'f', 2, 24, seed=3, block=True)
    weights = torch_home / 'hub' / 'checkpoints' / FID_WEIGHTS_NAME
    out = tmp_path / 'fid.json'
    env = dict(os.environ, TORCH_HOME=str(tmp_path / 'empty_home'))
    proc = subprocess.run([
        sys.executable,
        str(TOOL),
        str(real),
        str(fake), '--inception',
        str(weights), '--device', 'cpu', '--num-workers', '0',
        '--kid-subsets', '3', '--json',
        str(out)
    ],
                          capture_output=True,
                          text=True,
                          env=env,
                          cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert 'FID:' in proc.stdout
    assert '%' in proc.stderr  # tqdm progress bars
    saved = json.loads(out.read_text())
    assert saved['num_real'] == saved['num_fake'] == 2
    assert osp.samefile(saved['inception'], weights)
