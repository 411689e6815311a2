# Copyright (c) mmadvseg contributors. All rights reserved.
"""The loading steps name what they cannot load, load the rest as mmagic
does, and can skip unreadable training samples."""
import logging
import os.path as osp

import numpy as np
import pytest
from mmagic.datasets.transforms import (
    LoadImageFromFile,
    LoadPairedImageFromFile,
)
from mmagic.registry import DATASETS, TRANSFORMS
from mmengine.config import Config
from mmengine.logging import MMLogger

from mmadvseg.datasets.image_io import ImageReadError
from mmadvseg.datasets.transforms import (
    MAX_UNREADABLE_STREAK,
    CheckedLoadImageFromFile,
    CheckedLoadPairedImageFromFile,
    UnreadableDatasetError,
)
from mmadvseg.testing import make_paired
from mmadvseg.utils.config import repo_config

PAIR = dict(key='pair', domain_a='A', domain_b='B', color_type='color')


@pytest.mark.parametrize('kind', ['color', 'gray', 'rgba', 'palette',
                                  'gray16'])
@pytest.mark.parametrize('color_type', ['color', 'unchanged'])
def test_loads_what_mmagic_loads(awkward_images, kind, color_type):
    results = dict(img_path=awkward_images[kind])
    ours = CheckedLoadImageFromFile(key='img', color_type=color_type)
    theirs = LoadImageFromFile(key='img', color_type=color_type)
    np.testing.assert_array_equal(
        ours(dict(results))['img'], theirs(dict(results))['img'])


def test_loads_pairs_as_mmagic(tmp_path):
    root = make_paired(tmp_path / 'paired', size=16)
    results = dict(pair_path=osp.join(root, 'train', '000.png'))
    ours = CheckedLoadPairedImageFromFile(**PAIR)(dict(results))
    theirs = LoadPairedImageFromFile(**PAIR)(dict(results))
    for key in ('img_A', 'img_B', 'pair'):
        np.testing.assert_array_equal(ours[key], theirs[key])


@pytest.mark.parametrize('kind,reason', [
    ('corrupt', 'cannot decode'),
    ('truncated', 'cannot decode'),
    ('damaged', 'damaged JPEG'),
    ('empty', 'cannot decode'),
])
def test_unreadable_images_are_named(awkward_images, kind, reason):
    """mmagic stops on these with no path ('NoneType' object has no
    attribute 'ndim', cv2.error) or, for the damaged JPEG, loads a grey
    half without a word."""
    path = awkward_images[kind]
    with pytest.raises(ImageReadError) as err:
        CheckedLoadImageFromFile(key='img')(dict(img_path=path))
    message = str(err.value)
    assert message.startswith(f'{path}: {reason}')
    assert 'tools/misc/check_dataset.py' in message


def test_odd_width_pairs_and_missing_files_are_named(awkward_images):
    load = CheckedLoadPairedImageFromFile(**PAIR)
    odd = awkward_images['odd']
    with pytest.raises(ImageReadError,
                       match=f'{odd}: A|B image of odd width'):
        load(dict(pair_path=odd))
    with pytest.raises(ImageReadError, match='gone.png: file not found'):
        load(dict(pair_path=odd.replace('odd.png', 'gone.png')))


def test_skip_unreadable_draws_another_sample(tmp_path, capsys):
    root = make_paired(tmp_path / 'paired', num_train=2, size=16)
    bad = osp.join(root, 'train', '001.png')
    with open(bad, 'wb') as f:
        f.write(b'')
    pipeline = [dict(type='CheckedLoadPairedImageFromFile', **PAIR)]
    dataset = DATASETS.build(
        dict(type='PairedImageDataset', data_root=root, pipeline=pipeline))
    with pytest.raises(ImageReadError, match=bad):
        dataset[1]
    pipeline[0]['skip_unreadable'] = True
    dataset = DATASETS.build(
        dict(type='PairedImageDataset', data_root=root, pipeline=pipeline))
    MMLogger.get_instance('skip_test', log_level=logging.WARNING)
    for _ in range(3):
        sample = dataset[1]  # mmengine draws another index
        assert sample['pair_path'].endswith('000.png')
    assert dataset.pipeline.transforms[0].skipped == {bad}
    out = capsys.readouterr().out
    assert out.count('Skipped an unreadable image') == 1  # once per file
    assert f'Skipped an unreadable image (1 so far in this process): {bad}' \
        in out


def test_configs_load_with_the_checked_steps():
    for name in ('advseg/pix2pix_both_sheep.py',
                 'advseg/cyclegan_both_bedroom.py',
                 'toy/pix2pix_both_toy.py', 'toy/cyclegan_both_toy.py'):
        cfg = Config.fromfile(repo_config(name))
        assert 'mmadvseg.datasets.transforms' in cfg.custom_imports.imports
        for loader in ('train_dataloader', 'test_dataloader'):
            steps = [s.type for s in cfg[loader].dataset.pipeline]
            assert steps[0].startswith('CheckedLoad'), (name, steps)
            assert TRANSFORMS.get(steps[0]) is not None


def _skipping_dataset(root: str):
    pipeline = [
        dict(type='CheckedLoadPairedImageFromFile', skip_unreadable=True,
             **PAIR)
    ]
    return DATASETS.build(
        dict(type='PairedImageDataset', data_root=root, pipeline=pipeline))


def _all_unreadable(tmp_path) -> str:
    root = make_paired(tmp_path / 'paired', num_train=3, size=16)
    for name in ('000', '001', '002'):
        with open(osp.join(root, 'train', f'{name}.png'), 'wb') as f:
            f.write(b'not a png')
    return root


def test_skipping_every_image_stops_naming_the_folder(tmp_path):
    """With every training image unreadable, mmengine used to draw 1,000
    more samples and stop with "Cannot find valid image after 1000!",
    naming no folder and no fix."""
    root = _all_unreadable(tmp_path)
    dataset = _skipping_dataset(root)
    with pytest.raises(UnreadableDatasetError) as err:
        dataset[0]
    folder = osp.join(root, 'train')
    assert str(err.value) == (
        f'{folder}: the last {MAX_UNREADABLE_STREAK} training images drawn '
        'from it were all unreadable (3 different files, e.g. '
        f'{folder}/000.png), so --skip-unreadable has nothing to train on; '
        'list them with python tools/misc/check_dataset.py CONFIG, then '
        're-convert or delete them, or point data_root at readable images')
    load = dataset.pipeline.transforms[0]
    assert len(load.streak) == MAX_UNREADABLE_STREAK  # not 1,001 draws


def test_a_readable_image_ends_the_unreadable_streak(tmp_path):
    """Half of the images unreadable: 300 draws, no stop (a streak of 50
    has odds 0.5 ** 50 per draw)."""
    root = make_paired(tmp_path / 'paired', num_train=2, size=16)
    with open(osp.join(root, 'train', '001.png'), 'wb') as f:
        f.write(b'')
    dataset = _skipping_dataset(root)
    np.random.seed(0)  # mmengine draws the next index with numpy
    for i in range(300):
        assert dataset[i % 2]['pair_path'].endswith('000.png')
    assert len(dataset.pipeline.transforms[0].streak) == 0
