# Copyright (c) mmadvseg contributors. All rights reserved.
import importlib.util
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmadvseg.datasets.layouts import (
    layout_root,
    paired_path,
    unpaired_paths,
    write_sample,
)

TOOL = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'misc',
                'check_dataset.py')


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location('_tool_check_dataset',
                                                  TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_dataset(root, num_train=3, num_test=2, size=16):
    rng = np.random.default_rng(0)
    for split, num in (('train', num_train), ('test', num_test)):
        for i in range(num):
            img = rng.integers(0, 256, (size, size, 3), np.uint8)
            write_sample(str(root), split, f'{i:03d}', img[..., 0], img)
    return str(root)


BASE = '''
pipeline = [dict(type='LoadImageFromFile', key='img_A')]
train_dataloader = dict(batch_size=1, dataset=dict(
    type='{kind}', data_root='{root}', pipeline=pipeline))
val_dataloader = dict(batch_size=1, dataset=dict(
    type='{kind}', data_root='{root}', test_mode=True, pipeline=pipeline))
test_dataloader = val_dataloader
'''


def write_config(folder, root, kind):
    """A base config and a child that inherits it (as the real configs)."""
    os.makedirs(folder, exist_ok=True)
    with open(osp.join(folder, '_base_data.py'), 'w') as f:
        f.write(BASE.format(kind=kind, root=root))
    child = osp.join(folder, f'{kind}.py')
    with open(child, 'w') as f:
        f.write("_base_ = ['./_base_data.py']\nmodel = dict(type='X')\n")
    return child


@pytest.mark.parametrize('kind', ['PairedImageDataset',
                                  'UnpairedImageDataset'])
def test_clean_dataset_passes(tmp_path, tool, capsys, kind):
    root = make_dataset(tmp_path / 'data')
    layout = 'paired' if kind == 'PairedImageDataset' else 'unpaired'
    config = write_config(str(tmp_path / 'cfg'), layout_root(root, layout),
                          kind)
    assert tool.main([config]) == 0
    out = capsys.readouterr().out
    assert '[OK] train_dataloader.dataset' in out
    assert '0 error(s), 0 warning(s) -> OK' in out
    if kind == 'PairedImageDataset':
        assert '3 images, sizes 32x16 (3)' in out
    else:
        assert '3 images, sizes 16x16 (3)' in out
        assert osp.join(root, 'unpaired', 'testB') in out


def test_paired_problems(tmp_path, tool, capsys):
    root = make_dataset(tmp_path / 'data')
    config = write_config(str(tmp_path / 'cfg'), layout_root(root, 'paired'),
                          'PairedImageDataset')
    bad = paired_path(root, 'train', '001')
    open(bad, 'wb').write(b'garbage')
    odd = osp.join(root, 'paired', 'train', 'odd.png')
    cv2.imwrite(odd, np.zeros((16, 31, 3), np.uint8))
    open(paired_path(root, 'test', '000') + '.99.partial', 'wb').close()
    assert tool.main([config]) == 1
    out = capsys.readouterr().out
    assert '[ERROR] train_dataloader.dataset' in out
    assert '1 unreadable' in out and bad in out
    assert 'odd width' in out and odd in out
    assert 'different image sizes' in out
    assert 'interrupted conversion' in out  # the .partial leftover
    assert 'FAILED' in out


def test_unpaired_problems(tmp_path, tool, capsys):
    root = make_dataset(tmp_path / 'data', num_train=3, num_test=3)
    config = write_config(str(tmp_path / 'cfg'),
                          layout_root(root, 'unpaired'),
                          'UnpairedImageDataset')
    os.remove(unpaired_paths(root, 'train', '000')[0])
    assert tool.main([config]) == 0  # fewer train sketches: a warning
    out = capsys.readouterr().out
    assert 'A has 2 images, B has 3' in out and 'WARNING' in out
    assert tool.main([config, '--strict']) == 1
    capsys.readouterr()
    os.rename(unpaired_paths(root, 'test', '002')[1],
              osp.join(root, 'unpaired', 'testB', 'zzz.png'))
    os.remove(unpaired_paths(root, 'test', '001')[1])
    assert tool.main([config]) == 1  # test A/B counts must match
    out = capsys.readouterr().out
    assert 'A has 3 images, B has 2' in out
    assert 'names differ' in out and 'zzz' in out


def test_transparent_sketches_are_flagged(tmp_path, tool, capsys):
    """mmagic drops alpha: a sketch drawn on a transparent background
    loads black, which a plain read (alpha on white) would hide."""
    root = make_dataset(tmp_path / 'data')
    config = write_config(str(tmp_path / 'cfg'),
                          layout_root(root, 'unpaired'),
                          'UnpairedImageDataset')
    sketch = unpaired_paths(root, 'train', '001')[0]
    lines = np.zeros((16, 16, 4), np.uint8)  # black strokes, clear paper
    lines[8, :, 3] = 255
    cv2.imwrite(sketch, lines)
    assert cv2.imread(sketch, cv2.IMREAD_COLOR).max() == 0  # as mmagic
    assert tool.main([config, '--strict']) == 1
    out = capsys.readouterr().out
    assert '1 PNGs with an alpha channel' in out and sketch in out


def test_missing_folders_and_wrappers(tmp_path, tool, capsys):
    root = layout_root(make_dataset(tmp_path / 'data'), 'paired')
    config = tmp_path / 'wrapped.py'
    config.write_text(f'''
train_dataloader = dict(dataset=dict(type='RepeatDataset', times=2,
    dataset=dict(type='ConcatDataset', datasets=[
        dict(type='mmagic.PairedImageDataset', data_root='{root}'),
        dict(type='PairedImageDataset', data_root='{tmp_path}/nowhere'),
    ])))
val_dataloader = [dict(dataset=dict(type='BasicImageDataset',
                                    data_root='{root}'))]
''')
    assert tool.main([str(config)]) == 1
    out = capsys.readouterr().out
    assert 'train_dataloader.dataset.dataset.datasets[0]' in out
    assert 'folder does not exist' in out and 'nowhere' in out
    assert "'BasicImageDataset' is not checked" in out
    assert tool.main([str(tmp_path / 'nope.py')]) == 1
    assert 'cannot load config' in capsys.readouterr().err
    empty = tmp_path / 'empty.py'
    empty.write_text('model = dict()\n')
    assert tool.main([str(empty)]) == 1
    cfg = write_config(str(tmp_path / 'cfg'), str(tmp_path / 'void'),
                       'PairedImageDataset')
    assert tool.main([cfg]) == 1
    capsys.readouterr()
    # --cfg-options can re-point data_root
    assert tool.main([cfg, '--cfg-options',
                      f'train_dataloader.dataset.data_root={root}',
                      f'val_dataloader.dataset.data_root={root}',
                      f'test_dataloader.dataset.data_root={root}']) == 0
