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
import pytest
from PIL import Image

from mmadvseg.evaluation.image_folder import folder_fid_kid
from mmadvseg.evaluation.inception import FID_WEIGHTS_NAME, FID_WEIGHTS_URL
from mmadvseg.testing import png_header, save_random_inception_weights

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


def test_a_huge_header_and_bad_options_are_one_line(tmp_path):
    """A PNG claiming 100000 x 100000 pixels was a 26-line traceback
    (PIL's DecompressionBombError is no OSError) without the file's name;
    --num-workers -1 passed the parser; an unwritable --json was found only
    after the FID was computed."""
    real = _write_images(tmp_path / 'r', 2, seed=0)
    fake = _write_images(tmp_path / 'f', 2, seed=1)
    bomb = tmp_path / 'f' / 'bomb.png'
    bomb.write_bytes(png_header(100_000, 100_000))
    proc = _run(real, fake, '--device', 'cpu', '--num-workers', '0',
                torch_home=tmp_path / 'home')
    assert proc.returncode == 1
    assert proc.stderr.startswith(f'error: {bomb}: 100000 x 100000 pixels, '
                                  'more than the'), proc.stderr
    assert proc.stderr.count('\n') == 1, proc.stderr
    proc = _run(real, real, '--num-workers', '-1',
                torch_home=tmp_path / 'home')
    assert proc.returncode == 2
    assert 'argument --num-workers: -1 is not at least 0' in proc.stderr
    (tmp_path / 'notes').write_text('x')
    proc = _run(real, real, '--json', str(tmp_path / 'notes' / 'fid.json'),
                torch_home=tmp_path / 'home')
    assert proc.returncode == 1 and 'FID' not in proc.stdout
    assert proc.stderr == (f'error: cannot write {tmp_path}/notes/fid.json: '
                           f'{tmp_path}/notes is not a folder: choose '
                           'another --json\n')


def test_a_json_that_cannot_be_written_keeps_the_printed_fid(
        tmp_path, monkeypatch, capsys):
    """The JSON's folder is replaced by a file while the FID is computed:
    the FID used to be lost with the error; now it is printed first."""
    import runpy
    tool = runpy.run_path(str(TOOL))
    real = _write_images(tmp_path / 'r', 2, seed=0)
    weights = save_random_inception_weights(
        str(tmp_path / 'weights' / FID_WEIGHTS_NAME), seed=1)
    out = tmp_path / 'out'
    out.mkdir()

    def compute_then_break_the_folder(*args, **kwargs):
        result = folder_fid_kid(*args, **kwargs)
        out.rmdir()
        out.write_text('not a folder')
        return result

    main = tool['main']
    monkeypatch.setitem(main.__globals__, 'folder_fid_kid',
                        compute_then_break_the_folder)
    monkeypatch.setattr(sys, 'argv', [
        'fid.py', real, real, '--inception', weights, '--device', 'cpu',
        '--num-workers', '0', '--kid-subsets', '2', '--json',
        str(out / 'fid.json')])
    with pytest.raises(SystemExit) as done:
        main()
    assert str(done.value).startswith(f'error: cannot write {out}/fid.json (')
    assert str(done.value).endswith('the result is printed above')
    assert 'FID: ' in capsys.readouterr().out
