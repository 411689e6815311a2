# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/misc/check_dataset.py as a command (the checks themselves:
tests/test_datasets/test_check.py)."""
import os
import os.path as osp
import subprocess
import sys

from mmadvseg.testing import make_paired

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

BASE = '''
pipeline = [dict(type='LoadImageFromFile', key='img_A')]
train_dataloader = dict(batch_size=1, dataset=dict(
    type='PairedImageDataset', data_root='{root}', pipeline=pipeline))
val_dataloader = dict(batch_size=1, dataset=dict(
    type='PairedImageDataset', data_root='{root}', test_mode=True,
    pipeline=pipeline))
test_dataloader = val_dataloader
'''


def write_config(folder, root):
    """A base config and a child that inherits it (as the real configs)."""
    os.makedirs(folder, exist_ok=True)
    with open(osp.join(folder, '_base_data.py'), 'w') as f:
        f.write(BASE.format(root=root))
    child = osp.join(folder, 'paired.py')
    with open(child, 'w') as f:
        f.write("_base_ = ['./_base_data.py']\nmodel = dict(type='X')\n")
    return child


def check_dataset(*args):
    return subprocess.run(
        [sys.executable, 'tools/misc/check_dataset.py', *map(str, args)],
        cwd=REPO, capture_output=True, text=True)


def test_check_dataset_tool(tmp_path):
    root = make_paired(tmp_path / 'paired', 3, 2, size=16)
    config = write_config(str(tmp_path / 'cfg'), root)
    done = check_dataset(config)
    assert done.returncode == 0, done.stderr
    assert '[OK] train_dataloader.dataset' in done.stdout
    assert '3 images, sizes 32x16 (3)' in done.stdout
    assert '0 error(s), 0 warning(s) -> OK' in done.stdout
    # a warning (two image sizes) fails only with --strict
    make_paired(tmp_path / 'paired', 1, 0, size=8, seed=1)
    assert check_dataset(config).returncode == 0
    strict = check_dataset(config, '--strict')
    assert strict.returncode == 1 and 'different image sizes' in strict.stdout
    missing = check_dataset(tmp_path / 'nope.py')
    assert missing.returncode == 1
    assert missing.stderr == (f'error: {tmp_path}/nope.py: config file not '
                              'found; check the path\n')


def test_bad_cfg_options_are_one_line(tmp_path):
    """A key without ``=`` and a key that does not fit the config used to
    be tracebacks (argparse, ``Config.merge_from_dict``)."""
    config = write_config(str(tmp_path / 'cfg'), str(tmp_path / 'void'))
    no_value = check_dataset(config, '--cfg-options', 'train_cfg')
    assert no_value.returncode == 1
    assert no_value.stderr.startswith(
        "error: --cfg-options 'train_cfg' is not KEY=VALUE: write e.g.")
    bad_key = check_dataset(config, '--cfg-options', 'model.type.x=1')
    assert bad_key.returncode == 1
    assert bad_key.stderr.startswith(
        "error: --cfg-options model.type.x=1 does not fit "
        f'{config} (')
    for done in (no_value, bad_key):
        assert done.stderr.count('\n') == 1, done.stderr


def test_cfg_options_repoint_data_root(tmp_path):
    root = make_paired(tmp_path / 'paired', 2, 2, size=16)
    config = write_config(str(tmp_path / 'cfg'), str(tmp_path / 'void'))
    void = check_dataset(config)
    assert void.returncode == 1 and 'folder does not exist' in void.stdout
    assert check_dataset(
        config, '--cfg-options',
        f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}').returncode == 0
