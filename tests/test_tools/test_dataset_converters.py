# Copyright (c) mmadvseg contributors. All rights reserved.
import importlib.util
import json
import os
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest

from mmadvseg.datasets.layouts import paired_path, scan_images, unpaired_paths
from mmadvseg.datasets.sketch.extract import Sketcher

TOOLS = osp.join(osp.dirname(__file__), '..', '..', 'tools',
                 'dataset_converters')


def load_tool(name):
    spec = importlib.util.spec_from_file_location(
        f'_tool_{name}', osp.join(TOOLS, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def photo(seed, height=40, width=56):
    rng = np.random.default_rng(seed)
    img = np.full((height, width, 3), rng.integers(0, 256, 3), np.uint8)
    cv2.circle(img, (width // 2, height // 2), height // 4,
               rng.integers(0, 256, 3).tolist(), -1)
    return img


# ----------------------------------------------------------------- COCO
# image id -> annotations (category, area, iscrowd); 1 = elephant,
# 2 = sheep, 3 = person
COCO_IMAGES = {
    1: [(1, 400, 0)],
    2: [(2, 300, 0), (3, 50, 0)],
    3: [(1, 200, 0), (2, 100, 0)],
    4: [(1, 900, 1)],  # a crowd of elephants only
    5: [(3, 500, 0)],
    6: [(1, 5, 0)],  # a tiny elephant
    7: [(1, 600, 0)],
    8: [(2, 700, 0)],
}


def write_coco(root, image_ids, bad=()):
    """A COCO instances file and its images (``bad`` ids are corrupt)."""
    images, anns = [], []
    os.makedirs(osp.join(root, 'images'), exist_ok=True)
    for img_id in image_ids:
        name = f'{img_id:012d}.jpg'
        images.append(dict(id=img_id, file_name=name, height=40, width=56))
        path = osp.join(root, 'images', name)
        if img_id in bad:
            open(path, 'wb').write(b'\xff\xd8broken')
        else:
            cv2.imwrite(path, photo(img_id))
        for cat, area, crowd in COCO_IMAGES[img_id]:
            anns.append(dict(id=len(anns) + 1, image_id=img_id,
                             category_id=cat, area=area, iscrowd=crowd,
                             bbox=[0, 0, 10, 10]))
    cats = [dict(id=1, name='elephant', supercategory='animal'),
            dict(id=2, name='sheep', supercategory='animal'),
            dict(id=3, name='person', supercategory='person')]
    ann_file = osp.join(root, 'instances.json')
    json.dump(dict(images=images, annotations=anns, categories=cats),
              open(ann_file, 'w'))
    return ann_file, osp.join(root, 'images')


def names_in(out, folder):
    """Sample names in ``train``/``test`` (paired) or ``trainA``... of a
    converted dataset ``out``."""
    layout = 'paired' if folder in ('train', 'test') else 'unpaired'
    return sorted(osp.splitext(osp.basename(p))[0]
                  for p in scan_images(osp.join(out, layout, folder)))


def coco_args(ann, images, out, *extra):
    return ['--ann', *ann, '--images', *images, '--out', out, '--nproc', '1',
            '--size', '32', '--sketch', 'canny', '--no-progress', *extra]


def test_coco_selection(tmp_path):
    tool = load_tool('coco_subset')
    ann, _ = write_coco(str(tmp_path), COCO_IMAGES)
    coco = tool.load_coco(ann)
    ids = tool.category_ids(coco, ['elephant'], ann)
    picked = [im['id'] for im in tool.select_images(coco, ids)]
    assert picked == [1, 3, 6, 7]
    assert [im['id'] for im in tool.select_images(coco, ids, min_area=0.01)
            ] == [1, 3, 7]
    assert [im['id'] for im in tool.select_images(coco, ids,
                                                  include_crowd=True)
            ] == [1, 3, 4, 6, 7]
    both = tool.category_ids(coco, ['elephant', 'sheep'], ann)
    assert [im['id'] for im in tool.select_images(coco, both)] == [
        1, 2, 3, 6, 7, 8]
    assert [im['id'] for im in tool.select_images(coco, both, 'all')] == [3]
    with pytest.raises(ValueError, match='available: elephant, person'):
        tool.category_ids(coco, ['giraffe'], ann)


def test_coco_subset_cli(tmp_path, capsys):
    tool = load_tool('coco_subset')
    ann, images = write_coco(str(tmp_path / 'coco'), COCO_IMAGES)
    out = str(tmp_path / 'elephant')
    assert tool.main(coco_args([ann], [images], out, '--categories',
                               'elephant', '--num-test', '1', '--seed',
                               '0')) == 0
    train, test = names_in(out, 'train'), names_in(out, 'test')
    assert sorted(train + test) == [f'{i:012d}' for i in (1, 3, 6, 7)]
    assert len(test) == 1
    assert names_in(out, 'trainA') == names_in(out, 'trainB') == train
    assert names_in(out, 'testA') == test
    ab = cv2.imread(paired_path(out, 'train', train[0]))
    assert ab.shape == (32, 64, 3)
    assert '4 images (3 train, 1 test)' in capsys.readouterr().out
    # unknown category: a clear error, exit code 1
    assert tool.main(coco_args([ann], [images], out, '--categories',
                               'giraffe')) == 1
    assert 'unknown categories' in capsys.readouterr().err
    # a random-split option with the annotation split: refused, not ignored
    assert tool.main(coco_args([ann], [images], out, '--categories',
                               'elephant', '--split', 'ann', '--num-test',
                               '1')) == 1
    assert '--split ann takes' in capsys.readouterr().err


def test_coco_two_annotation_files(tmp_path):
    tool = load_tool('coco_subset')
    ann_a, img_a = write_coco(str(tmp_path / 'train2017'), [1, 2, 3])
    ann_b, img_b = write_coco(str(tmp_path / 'val2017'), [7, 8])
    out = str(tmp_path / 'sheep')
    assert tool.main(coco_args([ann_a, ann_b], [img_a, img_b], out,
                               '--categories', 'sheep', '--split',
                               'ann')) == 0
    assert names_in(out, 'train') == ['000000000002',
                                                '000000000003']
    assert names_in(out, 'test') == ['000000000008']
    assert tool.main(coco_args([ann_a, ann_b], [img_a, img_b, img_b], out,
                               '--categories', 'sheep')) == 1


def test_coco_conversion_interrupted_and_resumed(tmp_path, monkeypatch,
                                                 capsys):
    """Interrupt the converter after two images; the rerun converts only
    the remaining ones, and the corrupt image is reported, not fatal."""
    tool = load_tool('coco_subset')
    ann, images = write_coco(str(tmp_path / 'coco'), COCO_IMAGES, bad=[8])
    out = str(tmp_path / 'animals')
    args = coco_args([ann], [images], out, '--categories', 'elephant',
                     'sheep', '--num-test', '2')
    real_call = Sketcher.__call__
    calls = []

    def interrupted(self, img):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(1)
        return real_call(self, img)

    monkeypatch.setattr(Sketcher, '__call__', interrupted)
    with pytest.raises(KeyboardInterrupt):
        tool.main(args)
    monkeypatch.setattr(Sketcher, '__call__', real_call)
    capsys.readouterr()
    first = {p: open(p, 'rb').read() for p in scan_images(out)}
    assert len(first) == 2 * 3  # two samples, three files each

    counted = []

    def counting(self, img):
        counted.append(1)
        return real_call(self, img)

    monkeypatch.setattr(Sketcher, '__call__', counting)
    assert tool.main(args) == 1  # image 8 is corrupt
    captured = capsys.readouterr()
    assert '2 already done (skipped)' in captured.out
    assert osp.join(images, '000000000008.jpg') in captured.out
    assert len(counted) == 6 - 2 - 1  # 6 selected, 2 done, 1 corrupt
    files = {p: open(p, 'rb').read() for p in scan_images(out)}
    assert len(files) == 5 * 3
    assert all(files[p] == data for p, data in first.items())


# --------------------------------------------------------------- ADE20K
def write_ade_images(root, rel_paths):
    for i, rel in enumerate(rel_paths):
        path = osp.join(root, rel)
        os.makedirs(osp.dirname(path), exist_ok=True)
        cv2.imwrite(path, photo(i))


def test_ade20k_txt_index(tmp_path):
    tool = load_tool('ade20k_bedroom')
    root = str(tmp_path / 'ADEChallengeData2016')
    scenes = {'ADE_train_00000001': 'bedroom',
              'ADE_train_00000002': 'kitchen',
              'ADE_train_00000003': 'bedroom',
              'ADE_val_00000001': 'bedroom',
              'ADE_val_00000002': 'living_room'}
    write_ade_images(root, [
        f'images/{"validation" if "val" in n else "training"}/{n}.jpg'
        for n in scenes
    ])
    index = osp.join(root, 'sceneCategories.txt')
    open(index, 'w').write(''.join(f'{n} {s}\n' for n, s in scenes.items()))
    out = str(tmp_path / 'bedroom')
    common = ['--index', index, '--root', root, '--out', out, '--nproc', '1',
              '--size', '32', '--no-progress']
    assert tool.main(common) == 0
    assert names_in(out, 'trainB') == ['ADE_train_00000001',
                                                 'ADE_train_00000003']
    assert names_in(out, 'testB') == ['ADE_val_00000001']
    # a random split instead of ADE20K's own
    out2 = str(tmp_path / 'random')
    common[5] = out2
    assert tool.main(common + ['--num-test', '2']) == 0
    assert len(names_in(out2, 'test')) == 2
    open(index, 'a').write('broken line here\n')
    assert tool.main(common) == 1


def test_ade20k_pkl_index(tmp_path):
    tool = load_tool('ade20k_bedroom')
    base = 'ADE20K_2021_17_01/images/ADE'
    index = dict(
        filename=['ADE_train_00000010.jpg', 'ADE_train_00000011.jpg',
                  'ADE_val_00000012.jpg', 'ADE_train_00000013.jpg'],
        folder=[f'{base}/training/home_or_hotel/bedroom',
                f'{base}/training/home_or_hotel/bathroom',
                f'{base}/validation/home_or_hotel/bedroom',
                f'{base}/training/home_or_hotel/bedroom'],
        scene=['/bedroom', '/bathroom', 'bedroom', ['indoor', 'bedroom']],
        objectnames=['wall'])
    root = str(tmp_path / 'data')
    write_ade_images(root, [osp.join(d, f) for d, f in zip(index['folder'],
                                                           index['filename'])])
    pkl = osp.join(root, 'ADE20K_2021_17_01', 'index_ade20k.pkl')
    pickle.dump(index, open(pkl, 'wb'))
    assert tool.scene_matches('/bedroom', ['bedroom'])
    assert not tool.scene_matches('/bedroom_attic', ['bedroom'])
    for given_root in (root, osp.join(root, 'ADE20K_2021_17_01')):
        out = str(tmp_path / f'out{len(given_root)}')
        assert tool.main(['--index', pkl, '--root', given_root, '--out', out,
                          '--nproc', '1', '--size', '32',
                          '--no-progress']) == 0
        assert names_in(out, 'train') == ['ADE_train_00000010',
                                                     'ADE_train_00000013']
        assert names_in(out, 'test') == ['ADE_val_00000012']
    pickle.dump(dict(filename=[]), open(pkl, 'wb'))
    assert tool.main(['--index', pkl, '--root', root, '--out', out]) == 1


# ------------------------------------------------------ folder, toy scenes
def test_folder_to_sketch(tmp_path, capsys):
    tool = load_tool('folder_to_sketch')
    src = tmp_path / 'photos'
    (src / 'sub').mkdir(parents=True)
    cv2.imwrite(str(src / 'a.jpg'), photo(1, 30, 31))
    cv2.imwrite(str(src / 'sub' / 'a.png'), photo(2)[..., 0])  # grayscale
    rgba = np.dstack([photo(3), np.full((40, 56), 128, np.uint8)])
    cv2.imwrite(str(src / 'c.png'), rgba)
    (src / 'broken.png').write_bytes(b'\x89PNG\r\n\x1a\n' + b'0' * 30)
    (src / 'notes.txt').write_text('not an image')
    out = str(tmp_path / 'out')
    code = tool.main([str(src), out, '--nproc', '2', '--size', '24',
                      '--num-test', '1', '--no-progress', '--sketch',
                      'xdog', '--xdog-preset', 'xdog_paper',
                      '--xdog-phi', '100'])
    assert code == 1  # one file failed, the others were written
    captured = capsys.readouterr()
    assert str(src / 'broken.png') in captured.out
    assert '3 converted' in captured.out
    names = names_in(out, 'train') + names_in(out, 'test')
    assert sorted(names) == ['a', 'c', 'sub__a']
    for name in names:
        split = 'train' if name in names_in(out, 'train') \
            else 'test'
        sketch = cv2.imread(unpaired_paths(out, split, name)[0],
                            cv2.IMREAD_UNCHANGED)
        assert sketch.shape == (24, 24)
    # explicit test folder
    test_src = tmp_path / 'test_photos'
    test_src.mkdir()
    cv2.imwrite(str(test_src / 't.png'), photo(4))
    out2 = str(tmp_path / 'out2')
    (src / 'broken.png').unlink()
    assert tool.main([str(src), out2, '--test-src', str(test_src), '--nproc',
                      '1', '--no-progress', '--size', '24']) == 0
    assert names_in(out2, 'test') == ['t']
    assert tool.main([str(tmp_path / 'nowhere'), out2]) == 1
    assert tool.main([str(src), out2, '--sketch', 'hed', '--hed-weights',
                      str(tmp_path / 'no.pth')]) == 1
    assert 'HED weights not found' in capsys.readouterr().err
    # bad options: one line each, no traceback, nothing written
    assert tool.main([str(src), str(tmp_path / 'out3'), '--size', '0']) == 1
    assert 'size must be a positive' in capsys.readouterr().err
    assert tool.main([str(src), str(tmp_path / 'out3'), '--num-test',
                      '99']) == 1
    assert 'num_test=99 is not within' in capsys.readouterr().err
    assert not osp.exists(tmp_path / 'out3')


def test_toy_scenes_cli(tmp_path, capsys):
    tool = load_tool('toy_scenes')
    out = str(tmp_path / 'toy')
    assert tool.main([out, '--num-train', '3', '--num-test', '2', '--size',
                      '40', '--color-mode', 'shared', '--nproc', '1']) == 0
    assert 'panoptic_train.json' in capsys.readouterr().out
    assert len(names_in(out, 'trainA')) == 3
    assert len(names_in(out, 'test')) == 2
    content = json.load(open(osp.join(out, 'annotations',
                                      'panoptic_test.json')))
    assert len(content['images']) == 2
    assert tool.main([out, '--size', '8']) == 1
