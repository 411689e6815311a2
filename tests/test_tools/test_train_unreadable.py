# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/train.py --skip-unreadable on a folder of unreadable images only,
with the toy config's two dataloader workers: one ``error:`` line naming
the folder and the fix."""
import os.path as osp
import subprocess
import sys
import time

from mmadvseg.datasets.transforms import MAX_UNREADABLE_STREAK
from mmadvseg.testing import make_paired

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def test_skipping_every_training_image_is_one_line(tmp_path):
    """It used to be mmengine's "Cannot find valid image after 1000!"
    traceback, naming no folder and no fix."""
    root = make_paired(tmp_path / 'data', num_train=3, size=16)
    folder = osp.join(root, 'train')
    for name in ('000', '001', '002'):
        with open(osp.join(folder, f'{name}.png'), 'wb') as f:
            f.write(b'not a png')
    # no validation or test: those would need a toy segmenter
    off = [f'{key}=None' for split in ('val', 'test')
           for key in (f'{split}_dataloader', f'{split}_cfg',
                       f'{split}_evaluator')]
    start = time.time()
    proc = subprocess.run(
        [sys.executable, 'tools/train.py',
         'configs/toy/pix2pix_baseline_toy.py', '--skip-unreadable',
         '--work-dir', str(tmp_path / 'work'), '--cfg-options',
         f'train_dataloader.dataset.data_root={root}',
         'model.generator.base_channels=8', 'model.generator.num_blocks=1',
         'model.discriminator.base_channels=8'] + off,
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert proc.stderr == (
        f'error: {folder}: the last {MAX_UNREADABLE_STREAK} training images '
        'drawn from it were all unreadable (3 different files, e.g. '
        f'{folder}/000.png), so --skip-unreadable has nothing to train on; '
        'list them with python tools/misc/check_dataset.py CONFIG, then '
        're-convert or delete them, or point data_root at readable images\n')
    assert 'num_workers=2' in proc.stdout  # the toy config's workers
    assert time.time() - start < 120
