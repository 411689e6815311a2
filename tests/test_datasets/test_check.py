# Copyright (c) mmadvseg contributors. All rights reserved.
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmadvseg.datasets.check import (
    check_config,
    dataset_folders,
    format_report,
    scan_folder,
)
from mmadvseg.testing import make_paired, make_unpaired

KINDS = dict(paired='PairedImageDataset', unpaired='UnpairedImageDataset')


def loaders(layout, root):
    """Train, val and test dataloaders of one dataset, as the configs."""
    dataset = dict(type=KINDS[layout], data_root=root)
    test = dict(dataset=dict(dataset, test_mode=True))
    return dict(train_dataloader=dict(dataset=dataset),
                val_dataloader=test, test_dataloader=test)


def report(cfg, strict=False):
    return format_report('cfg.py', check_config(cfg), strict)


def make(tmp_path, layout, num_train=3, num_test=2):
    maker = make_paired if layout == 'paired' else make_unpaired
    return maker(tmp_path / layout, num_train, num_test, size=16)


@pytest.mark.parametrize('layout', ['paired', 'unpaired'])
def test_clean_dataset_passes(tmp_path, layout):
    root = make(tmp_path, layout)
    out, code = report(loaders(layout, root))
    assert code == 0
    assert '[OK] train_dataloader.dataset' in out
    assert '3 dataset(s) checked: 0 error(s), 0 warning(s) -> OK' in out
    if layout == 'paired':
        assert '3 images, sizes 32x16 (3)' in out
    else:
        assert '3 images, sizes 16x16 (3)' in out
        assert osp.join(root, 'testB') in out


def test_dataset_folders():
    assert dataset_folders(dict(type='mmagic.PairedImageDataset',
                                data_root='r')) == [('A|B', 'r/train')]
    assert dataset_folders(dict(type='PairedImageDataset', data_root='r',
                                test_mode=True, test_dir='val')) == [
                                    ('A|B', 'r/val')]
    assert dataset_folders(dict(type='UnpairedImageDataset', data_root='r',
                                test_mode=True)) == [('A', 'r/testA'),
                                                     ('B', 'r/testB')]


def test_paired_problems(tmp_path):
    root = make(tmp_path, 'paired')
    bad = osp.join(root, 'train', '001.png')
    open(bad, 'wb').write(b'garbage')
    odd = osp.join(root, 'train', 'odd.png')
    cv2.imwrite(odd, np.zeros((16, 31, 3), np.uint8))
    partial = osp.join(root, 'test', '000.png.99.0a1b.partial')
    open(partial, 'wb').close()
    out, code = report(loaders('paired', root))
    assert code == 1
    assert '[ERROR] train_dataloader.dataset' in out
    assert '1 unreadable' in out and bad in out
    assert 'odd width' in out and odd in out
    assert 'different image sizes' in out
    assert 'interrupted conversion' in out and partial in out
    assert 'FAILED' in out
    assert scan_folder(osp.join(root, 'test')).partial == [partial]


def test_unpaired_problems(tmp_path):
    root = make(tmp_path, 'unpaired', num_train=3, num_test=3)
    cfg = loaders('unpaired', root)
    os.remove(osp.join(root, 'trainA', '000.png'))
    out, code = report(cfg)  # fewer train sketches: a warning
    assert code == 0
    assert 'A has 2 images, B has 3' in out and 'WARNING' in out
    assert report(cfg, strict=True)[1] == 1
    os.rename(osp.join(root, 'testB', '002.png'),
              osp.join(root, 'testB', 'zzz.png'))
    os.remove(osp.join(root, 'testB', '001.png'))
    out, code = report(cfg)  # test A/B counts must match
    assert code == 1
    assert 'A has 3 images, B has 2' in out
    assert 'names differ' in out and 'zzz' in out


def test_transparent_sketches_are_flagged(tmp_path):
    """mmagic drops alpha: a sketch drawn on a transparent background
    loads black, which a plain read (alpha on white) would hide."""
    root = make(tmp_path, 'unpaired')
    sketch = osp.join(root, 'trainA', '001.png')
    lines = np.zeros((16, 16, 4), np.uint8)  # black strokes, clear paper
    lines[8, :, 3] = 255
    cv2.imwrite(sketch, lines)
    assert cv2.imread(sketch, cv2.IMREAD_COLOR).max() == 0  # as mmagic
    out, code = report(loaders('unpaired', root), strict=True)
    assert code == 1
    assert '1 PNGs with transparency' in out and sketch in out


def test_faults_that_used_to_pass(tmp_path, awkward_images):
    """A JPEG whose data the decoder reports damaged (end marker intact),
    a plain photo in a paired folder and a palette PNG with a transparent
    entry all passed the check before."""
    awkward = awkward_images
    root = make(tmp_path, 'paired')
    damaged = osp.join(root, 'train', 'damaged.jpg')
    os.replace(awkward['damaged'], damaged)
    photo = osp.join(root, 'train', 'photo.png')
    cv2.imwrite(photo, cv2.resize(cv2.imread(awkward['color']), (32, 16)))
    out, code = report(loaders('paired', root))
    assert code == 1
    assert '1 unreadable' in out and f'{damaged}: damaged JPEG' in out
    assert '1 images are not A|B pairs' in out and photo in out
    sketches = make(tmp_path, 'unpaired')
    palette = osp.join(sketches, 'trainA', 'palette.png')
    os.replace(awkward['palette'], palette)
    out, code = report(loaders('unpaired', sketches), strict=True)
    assert code == 1
    assert '1 PNGs with transparency' in out and palette in out
    assert 'not A|B pairs' not in out  # unpaired: a photo is fine


def test_missing_folders_and_wrappers(tmp_path):
    root = make(tmp_path, 'paired')
    cfg = dict(
        train_dataloader=dict(dataset=dict(
            type='RepeatDataset', times=2, dataset=dict(
                type='ConcatDataset', datasets=[
                    dict(type='mmagic.PairedImageDataset', data_root=root),
                    dict(type='PairedImageDataset',
                         data_root=str(tmp_path / 'nowhere')),
                ]))),
        val_dataloader=[dict(dataset=dict(type='BasicImageDataset',
                                          data_root=root))],
        test_dataloader=dict(dataset=dict(type='PairedImageDataset')))
    out, code = report(cfg)
    assert code == 1
    assert 'train_dataloader.dataset.dataset.datasets[0]' in out
    assert 'folder does not exist' in out and 'nowhere' in out
    assert "'BasicImageDataset' is not checked" in out
    assert 'no data_root in the dataset config' in out
    out, code = report(dict(model=dict()))
    assert code == 1 and 'no train/val/test dataloader datasets' in out
    empty = tmp_path / 'empty'
    (empty / 'train').mkdir(parents=True)
    out, code = report(loaders('paired', str(empty)))
    assert code == 1 and 'no image files' in out


def _photo(seed: int, side: int = 256) -> np.ndarray:
    """Gradients and soft texture, as a photo (BGR)."""
    y, x = np.mgrid[0:side, 0:side] / side
    img = np.stack([80 + 100 * x, 60 + 120 * y, 150 - 60 * x * y], -1)
    noise = np.random.default_rng(seed).normal(0, 30, img.shape)
    return np.clip(img + cv2.GaussianBlur(noise, (0, 0), 3), 0, 255)


def test_jpeg_damage_the_decoder_misses(tmp_path):
    """Garbled JPEG data that still decodes as valid codes gives no libjpeg
    warning and used to pass; when a DC value went wrong (every later
    block brighter: here from the MCU at x=128, y=80 of a 256x256 4:2:0
    JPEG), it is now a warning naming the file. A file without its end
    marker is unreadable, named in one line too."""
    root = make(tmp_path, 'unpaired')
    photo = _photo(0)
    mcu = np.add.outer(np.arange(256) // 16 * 16, np.arange(256) // 16)
    stepped = photo + 30 * (mcu >= 5 * 16 + 8)[..., None]
    paths = {}
    for name, img in (('clean', photo), ('stepped', stepped)):
        paths[name] = osp.join(root, 'trainA', f'{name}.jpg')
        cv2.imwrite(paths[name], np.clip(img, 0, 255).astype(np.uint8),
                    [cv2.IMWRITE_JPEG_QUALITY, 95])
    with open(paths['clean'], 'rb') as f:
        data = f.read()
    paths['cut'] = osp.join(root, 'trainA', 'cut.jpg')
    with open(paths['cut'], 'wb') as f:
        f.write(data[:-2])  # all the image data, no end marker
    out, code = report(loaders('unpaired', root), strict=True)
    assert code == 1
    lines = out.splitlines()
    assert f'      - {paths["stepped"]} (from x=128, y=80)' in lines
    assert f'      - {paths["cut"]}: truncated JPEG (no end-of-image ' \
        'marker); re-download or delete the file' in lines
    assert '1 JPEGs that look damaged' in out
    assert paths['clean'] not in out
