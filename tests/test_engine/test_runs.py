# Copyright (c) mmadvseg contributors. All rights reserved.
"""The bodies of tools/train.py and tools/test.py: bad input is one line
with the file and the fix, before anything is built."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmadvseg.datasets.image_io import ImageReadError
from mmadvseg.engine import runs
from mmadvseg.engine.cli import one_line, run_tool
from mmadvseg.engine.runs import RunError, train
from mmadvseg.testing import make_paired
from mmadvseg.utils.fileio import FolderLockedError

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
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


CYCLEGAN = 'configs/baselines/cyclegan_bedroom.py'


def _checkpoint(path, config: str, options: dict) -> str:
    """A checkpoint of the config's model (random weights)."""
    from mmagic.registry import MODELS

    from mmadvseg.utils.config import read_config
    model = MODELS.build(read_config(config, options).model)
    torch.save({'state_dict': model.state_dict()}, str(path))
    return str(path)


def test_a_test_never_replaces_its_training_run(tmp_path):
    """``--work-dir runH --image-dir runH --overwrite`` used to leave the
    test images and metrics.json in runH, its checkpoints and logs gone."""
    work_dir = tmp_path / 'runH'
    work_dir.mkdir()
    checkpoint = work_dir / 'epoch_1.pth'
    torch.save({}, str(checkpoint))
    (work_dir / 'last_checkpoint').write_text('epoch_1.pth')
    with pytest.raises(RunError, match=f'the image folder {work_dir} is the '
                       f'work dir {work_dir} or above it'):
        runs.test(TOY, str(checkpoint), str(work_dir),
                  image_dir=str(work_dir), overwrite=True)
    assert sorted(p.name for p in work_dir.iterdir()) == [
        'epoch_1.pth', 'last_checkpoint']


def test_a_test_locks_its_work_dir(tiny_runs, tmp_path):
    """Two tests into one work dir used to replace each other's results
    silently; the second now stops, naming the first."""
    work_dir = str(tmp_path / 'work')
    options = tiny_runs.options(False)
    checkpoint = _checkpoint(tmp_path / 'c.pth', CYCLEGAN, options)
    holder = subprocess.Popen(
        [sys.executable, '-c', 'import sys, time\n'
         'from mmadvseg.utils.fileio import lock_folder\n'
         f'lock_folder({work_dir!r}, "test"); print("locked", flush=True)\n'
         'sys.stdin.read()'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=REPO, env=dict(os.environ, PYTHONPATH=REPO))
    try:
        assert holder.stdout.readline() == 'locked\n'
        with pytest.raises(FolderLockedError,
                           match=f'{work_dir} is in use by a test '
                           f'\\(pid {holder.pid} '):
            runs.test(CYCLEGAN, checkpoint, work_dir, cfg_options=options)
    finally:
        holder.communicate('')
    assert os.listdir(work_dir) == ['.lock']


def test_the_config_copy_is_written_with_the_results(tiny_runs, tmp_path):
    """mmengine's runner wrote the config into the work dir at its start,
    so a test that stopped left a config copy without results; in a
    training run's work dir it replaced the training's copy."""
    work_dir = tmp_path / 'work'
    options = tiny_runs.options(False)
    checkpoint = _checkpoint(tmp_path / 'c.pth', CYCLEGAN, options)
    stop = dict(options, **{'test_evaluator.metrics.0.type': 'NoSuchMetric'})
    with pytest.raises(KeyError, match='NoSuchMetric'):
        runs.test(CYCLEGAN, checkpoint, str(work_dir), cfg_options=stop)
    assert not [p for p in work_dir.iterdir() if p.is_file()
                and p.name != '.lock']
    runs.test(CYCLEGAN, checkpoint, str(work_dir), cfg_options=options)
    copy = work_dir / 'cyclegan_bedroom.py'
    assert 'SaveTestResultsHook' in copy.read_text()
    assert (work_dir / 'metrics.json').is_file()
    # a training run's work dir keeps the training's copy
    (work_dir / 'last_checkpoint').write_text('epoch_1.pth')
    copy.write_text('# the training run\'s config\n')
    runs.test(CYCLEGAN, checkpoint, str(work_dir), overwrite=True,
              cfg_options=tiny_runs.options(False))
    assert copy.read_text() == '# the training run\'s config\n'
