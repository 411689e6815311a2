# Copyright (c) mmadvseg contributors. All rights reserved.
"""The README's "From your own photos" example, as written, at tiny scale:
a folder of toy photos -> sketches -> a Pix2Pix trained for 2 iterations
-> the photos colorized at their size, sketched as the training data."""
import os
import os.path as osp
import re
import shlex
import subprocess
import sys

import cv2
import numpy as np

from mmadvseg.datasets.sketch import build_sketcher
from mmadvseg.toy import ToyScenes

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def readme_commands() -> list:
    """The commands of the README's code block after "From your own
    photos", continuation lines joined."""
    with open(osp.join(REPO, 'README.md')) as f:
        text = f.read()
    block = re.search(r'\*\*From your own photos\*\*.*?```bash\n(.*?)```',
                      text, re.S).group(1)
    return [shlex.split(line) for line in
            block.replace('\\\n', ' ').splitlines() if line.strip()]


def test_own_photos_to_colorized_photos(tmp_path):
    scenes = ToyScenes(root=str(tmp_path / 'toy'), num_train=0, num_test=6,
                       layouts=()).ensure()
    photos = tmp_path / 'my_photos'
    photos.mkdir()
    for i, name in enumerate(scenes.names('test')):
        img = cv2.imread(osp.join(scenes.img_dir('test'), f'{name}.png'))
        big = cv2.resize(img, (96 + 8 * i, 80), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(photos / f'photo{i}.jpg'), big)
    places = {'my_photos': str(photos),
              'data/advseg/mine': str(tmp_path / 'data' / 'mine'),
              'work_dirs/mine': str(tmp_path / 'work' / 'mine')}
    commands = readme_commands()
    assert [c[1] for c in commands] == [
        'tools/dataset_converters/folder_to_sketch.py', 'tools/train.py',
        'tools/colorize.py']
    for command in commands:
        args = [re.sub('|'.join(places), lambda m: places[m.group(0)], a)
                for a in command[1:]]
        if args[0] == 'tools/train.py':  # tiny scale
            args += ['train_cfg.max_iters=2', 'train_dataloader.batch_size=2']
        proc = subprocess.run([sys.executable, *args], cwd=REPO, text=True,
                              capture_output=True, timeout=600,
                              env=dict(os.environ, MMADVSEG_OFFLINE='1'))
        assert proc.returncode == 0, (args, proc.stderr[-3000:])
    out = tmp_path / 'work' / 'mine_colorized'
    assert sorted(os.listdir(out)) == sorted(
        f'photo{i}{s}.png' for i in range(6) for s in ('', '_grid',
                                                         '_sketch'))
    # each at its photo's size; sketched as the converter sketched
    assert "photos sketched with the training data's sketch settings" in \
        proc.stdout and 'working scale (64 px' in proc.stdout
    for i in range(6):
        colour = cv2.imread(str(out / f'photo{i}.png'))
        assert colour.shape == (80, 96 + 8 * i, 3)
    photo = cv2.imread(str(photos / 'photo0.jpg'))
    small = cv2.resize(photo, (64, 53), interpolation=cv2.INTER_AREA)
    drawn = cv2.resize(cv2.cvtColor(build_sketcher('xdog')(small),
                                    cv2.COLOR_GRAY2BGR), (96, 80),
                       interpolation=cv2.INTER_CUBIC)
    np.testing.assert_array_equal(cv2.imread(str(out / 'photo0_sketch.png')),
                                  drawn)
