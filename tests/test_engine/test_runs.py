# Copyright (c) mmadvseg contributors. All rights reserved.
"""The bodies of tools/train.py and tools/test.py: bad input is one line
with the file and the fix, before anything is built."""
import pytest
import torch

from mmadvseg.datasets.image_io import ImageReadError
from mmadvseg.engine import runs
from mmadvseg.engine.cli import one_line, run_tool
from mmadvseg.engine.runs import RunError, train
from mmadvseg.testing import make_paired

TOY = 'configs/toy/pix2pix_both_toy.py'


def test_a_missing_data_root_is_one_line_with_the_fix(tmp_path, capsys):
    """It used to be a traceback from mmengine's folder scan, naming the
    path but not the fix."""
    missing = str(tmp_path / 'nowhere')
    code = run_tool(train, TOY, str(tmp_path / 'work'),
                    cfg_options={'train_dataloader.dataset.data_root':
                                 missing})
    err = capsys.readouterr().err
    assert code == 1 and err.count('\n') == 1
    assert err.startswith(
        f"error: train_dataloader.dataset.data_root='{missing}': "
        f'{missing}/train does not exist. Point it at your data '
        '(--cfg-options train_dataloader.dataset.data_root=DIR)')
    assert 'tools/dataset_converters/toy_scenes.py' in err
    assert f'python tools/misc/check_dataset.py {TOY}' in err
    assert not (tmp_path / 'work').exists()


def test_a_missing_toy_segmenter_is_one_line_with_the_fix(tmp_path):
    """It used to be a traceback naming the path, not how to make it."""
    root = make_paired(tmp_path / 'toy', size=16)
    data = {f'{s}_dataloader.dataset.data_root': root
            for s in ('train', 'val', 'test')}
    with pytest.raises(RunError) as err:
        train(TOY, str(tmp_path / 'work'), cfg_options=data)
    assert str(err.value) == (
        "model.adv_seg.segmenter.checkpoint='work_dirs/mask2former_tiny_toy/"
        "segmenter.pth' does not exist: train that segmenter with python "
        'tools/train_segmenter.py configs/toy/segmenters/'
        'mask2former_tiny_toy.py (it writes work_dirs/<config name>/'
        'segmenter.pth), or point it at a checkpoint with --cfg-options '
        'model.adv_seg.segmenter.checkpoint=PATH')
    checkpoint = str(tmp_path / 'iter_2.pth')
    torch.save({}, checkpoint)
    with pytest.raises(RunError, match='model.adv_seg.segmenter.checkpoint='
                       "'work_dirs/mask2former_tiny_toy/segmenter.pth' does "
                       'not exist: train that segmenter'):
        runs.test(TOY, checkpoint, str(tmp_path / 'work'), cfg_options=data)


def test_an_uncached_download_offline_is_refused_early(tmp_path):
    root = make_paired(tmp_path / 'sheep', size=16)
    data = {f'{s}_dataloader.dataset.data_root': root
            for s in ('train', 'val', 'test')}
    with pytest.raises(RunError, match='model.adv_seg.segmenter.checkpoint: '
                       'https://.* is not in the hub cache and downloads are '
                       'disabled \\(MMADVSEG_OFFLINE is set\\)'):
        train('configs/advseg/pix2pix_both_sheep.py', str(tmp_path / 'w'),
              cfg_options=data)


def test_an_error_from_a_dataloader_worker_is_one_line():
    """torch re-raises a worker's error with the worker's traceback in its
    message; the last line is the original message."""
    err = ImageReadError(
        'Caught ImageReadError in DataLoader worker process 0.\n'
        'Original Traceback (most recent call last):\n'
        '  File "x.py", line 1, in f\n'
        'mmadvseg.datasets.image_io.ImageReadError: a.png: cannot decode\n')
    assert one_line(err) == 'a.png: cannot decode'
    assert one_line(RunError('one line')) == 'one line'
