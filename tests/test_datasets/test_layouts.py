# Copyright (c) mmadvseg contributors. All rights reserved.
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmadvseg.datasets.layouts import (
    atomic_imwrite,
    is_complete_png,
    layout_root,
    make_ab,
    output_paths,
    paired_path,
    scan_images,
    split_train_test,
    unpaired_paths,
    write_sample,
)


def _sample(photo_factory, seed, h=24, w=30):
    photo = photo_factory(seed, h, w)
    sketch = 255 - cv2.Canny(photo, 50, 150)
    return sketch, photo


def test_paths():
    assert layout_root('r', 'paired') == osp.join('r', 'paired')
    assert paired_path('r', 'train', 'x') == osp.join('r', 'paired', 'train',
                                                      'x.png')
    assert unpaired_paths('r', 'test', 'x') == (
        osp.join('r', 'unpaired', 'testA', 'x.png'),
        osp.join('r', 'unpaired', 'testB', 'x.png'))
    assert output_paths('r', 'train', 'x', ['unpaired']) == list(
        unpaired_paths('r', 'train', 'x'))
    with pytest.raises(ValueError, match='split'):
        paired_path('r', 'val', 'x')
    with pytest.raises(ValueError, match='layouts'):
        output_paths('r', 'train', 'x', ['aligned'])
    with pytest.raises(ValueError, match='layouts'):
        layout_root('r', 'aligned')


def test_make_ab(photo_factory):
    sketch, photo = _sample(photo_factory, 0, 17, 33)
    ab = make_ab(sketch, photo)
    assert ab.shape == (17, 66, 3)
    assert (ab[:, :33] == sketch[..., None]).all()
    assert (ab[:, 33:] == photo).all()
    with pytest.raises(ValueError, match='halves differ'):
        make_ab(sketch[:, :-1], photo)


def test_write_sample(tmp_path, photo_factory):
    sketch, photo = _sample(photo_factory, 1)
    written = write_sample(str(tmp_path), 'train', 'a', sketch, photo)
    assert sorted(written) == sorted(
        output_paths(str(tmp_path), 'train', 'a'))
    ab = cv2.imread(paired_path(str(tmp_path), 'train', 'a'),
                    cv2.IMREAD_UNCHANGED)
    path_a, path_b = unpaired_paths(str(tmp_path), 'train', 'a')
    sketch_png = cv2.imread(path_a, cv2.IMREAD_UNCHANGED)
    assert ab.shape == (24, 60, 3)
    assert sketch_png.ndim == 2 and (sketch_png == sketch).all()
    assert (cv2.imread(path_b) == photo).all()
    # no temporary file is left behind
    assert not [f for _, _, fs in os.walk(tmp_path) for f in fs
                if not f.endswith('.png')]


def test_atomic_write_and_png_check(tmp_path):
    path = str(tmp_path / 'sub' / 'x.png')
    atomic_imwrite(path, np.zeros((8, 8), np.uint8))
    assert is_complete_png(path)
    data = open(path, 'rb').read()
    open(path, 'wb').write(data[:-5])
    assert not is_complete_png(path)
    assert not is_complete_png(str(tmp_path / 'missing.png'))
    with pytest.raises(ValueError, match='PNG'):
        atomic_imwrite(str(tmp_path / 'x.jpg'), np.zeros((8, 8), np.uint8))


def test_split_train_test():
    names = [f'n{i}' for i in range(20)]
    split = split_train_test(names, num_test=5, seed=3)
    assert sum(v == 'test' for v in split.values()) == 5
    # depends on the set of names, not on their order
    assert split == split_train_test(names[::-1], num_test=5, seed=3)
    assert split != split_train_test(names, num_test=5, seed=4)
    # stable: without one test name, one train name takes its place and
    # nothing else moves
    gone = min(n for n in names if split[n] == 'test')
    smaller = split_train_test([n for n in names if n != gone],
                               num_test=5,
                               seed=3)
    changed = [n for n in smaller if smaller[n] != split[n]]
    assert len(changed) == 1 and split[changed[0]] == 'train'
    ratio = split_train_test(names, test_ratio=0.25)
    assert sum(v == 'test' for v in ratio.values()) == 5
    assert set(split_train_test(names).values()) == {'train'}
    with pytest.raises(ValueError, match='num_test'):
        split_train_test(names, num_test=21)
    with pytest.raises(ValueError, match='unique'):
        split_train_test(['a', 'a'])


def test_scan_images_ignores_temporary_files(tmp_path):
    (tmp_path / 'd').mkdir()
    for name in ('b.png', 'a.jpg', 'd/c.PNG', 'x.png.123.partial', 'y.txt'):
        (tmp_path / name).write_bytes(b'')
    found = [osp.relpath(p, tmp_path) for p in scan_images(str(tmp_path))]
    assert found == ['a.jpg', 'b.png', osp.join('d', 'c.PNG')]


def _mmagic_dataset(cfg):
    from mmagic.registry import DATASETS
    from mmengine.registry import init_default_scope
    init_default_scope('mmagic')
    return DATASETS.build(cfg)


@pytest.mark.parametrize('test_mode', [False, True])
def test_layouts_load_with_mmagic(tmp_path, photo_factory, test_mode):
    """The files read back through mmagic's datasets and loaders are the
    sketch (A, 3 equal channels) and the photo (B)."""
    root = str(tmp_path)
    samples = {}
    for split, names in (('train', 'abc'), ('test', 'de')):
        for i, name in enumerate(names):
            samples[name] = _sample(photo_factory, 10 + i + 5 * (split ==
                                                                 'test'))
            write_sample(root, split, name, *samples[name])
    split_names = 'de' if test_mode else 'abc'

    paired = _mmagic_dataset(
        dict(type='PairedImageDataset', data_root=layout_root(root, 'paired'),
             test_mode=test_mode,
             pipeline=[dict(type='LoadPairedImageFromFile', key='pair',
                            domain_a='A', domain_b='B', color_type='color')]))
    assert len(paired) == len(split_names)
    for i, name in enumerate(split_names):
        item = paired[i]
        sketch, photo = samples[name]
        assert osp.basename(item['pair_path']) == f'{name}.png'
        assert item['img_A'].shape == photo.shape
        assert (item['img_A'] == sketch[..., None]).all()
        assert (item['img_B'] == photo).all()

    unpaired = _mmagic_dataset(
        dict(type='UnpairedImageDataset',
             data_root=layout_root(root, 'unpaired'), test_mode=test_mode,
             pipeline=[
                 dict(type='LoadImageFromFile', key='img_A',
                      color_type='color'),
                 dict(type='LoadImageFromFile', key='img_B',
                      color_type='color')
             ]))
    assert len(unpaired) == len(split_names)
    item = unpaired[0]
    sketch, photo = samples[split_names[0]]
    assert item['img_A'].shape == photo.shape  # 1-channel PNG -> 3 channels
    assert (item['img_A'] == sketch[..., None]).all()
    if test_mode:  # test pairs are aligned by index
        assert (item['img_B'] == photo).all()
