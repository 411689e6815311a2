# Copyright (c) mmadvseg contributors. All rights reserved.
import json
import os.path as osp
import pickle

import pytest

from mmadvseg.datasets.sources import (
    ade20k_sources,
    category_ids,
    coco_sources,
    folder_sources,
    load_coco,
    scene_matches,
    select_images,
    subsample,
    train_test_folder_sources,
)

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


def write_coco(path, image_ids):
    """A COCO instances file of ``COCO_IMAGES`` (40x56 images)."""
    images = [dict(id=i, file_name=f'{i:012d}.jpg', height=40, width=56)
              for i in image_ids]
    anns = [dict(id=10 * i + k, image_id=i, category_id=cat, area=area,
                 iscrowd=crowd, bbox=[0, 0, 10, 10])
            for i in image_ids
            for k, (cat, area, crowd) in enumerate(COCO_IMAGES[i])]
    cats = [dict(id=1, name='elephant'), dict(id=2, name='sheep'),
            dict(id=3, name='person')]
    with open(path, 'w') as f:
        json.dump(dict(images=images, annotations=anns, categories=cats), f)
    return str(path)


def stems(ids):
    return [f'{i:012d}' for i in ids]


def test_coco_selection(tmp_path):
    ann = write_coco(tmp_path / 'instances.json', COCO_IMAGES)
    coco = load_coco(ann)
    ids = category_ids(coco, ['elephant'], ann)
    picked = [im['id'] for im in select_images(coco, ids)]
    assert picked == [1, 3, 6, 7]
    assert [im['id'] for im in select_images(coco, ids, min_area=0.01)
            ] == [1, 3, 7]
    assert [im['id'] for im in select_images(coco, ids,
                                             include_crowd=True)
            ] == [1, 3, 4, 6, 7]
    both = category_ids(coco, ['elephant', 'sheep'], ann)
    assert [im['id'] for im in select_images(coco, both)] == [
        1, 2, 3, 6, 7, 8]
    assert [im['id'] for im in select_images(coco, both, 'all')] == [3]
    with pytest.raises(ValueError, match='available: elephant, person'):
        category_ids(coco, ['giraffe'], ann)
    bad = tmp_path / 'bad.json'
    bad.write_text('{"images": []}')
    with pytest.raises(ValueError, match="bad.json: not a COCO instances"):
        load_coco(str(bad))


def test_coco_sources(tmp_path, capsys):
    ann = write_coco(tmp_path / 'instances.json', COCO_IMAGES)
    sources, splits = coco_sources([ann], ['imgs'], ['elephant'])
    assert sorted(sources) == stems([1, 3, 6, 7])
    assert sources[stems([1])[0]] == osp.join('imgs', '000000000001.jpg')
    assert set(splits.values()) == {'train'}
    assert '4 of 8 images contain any of' in capsys.readouterr().out
    # two annotation files: the first is train, the others test
    ann_a = write_coco(tmp_path / 'train.json', [1, 2, 3])
    ann_b = write_coco(tmp_path / 'val.json', [7, 8])
    sources, splits = coco_sources([ann_a, ann_b], ['a', 'b'], ['sheep'])
    assert splits == {**dict.fromkeys(stems([2, 3]), 'train'),
                      stems([8])[0]: 'test'}
    assert sources[stems([8])[0]] == osp.join('b', '000000000008.jpg')
    with pytest.raises(ValueError, match='one --images folder per --ann'):
        coco_sources([ann_a, ann_b], ['a', 'b', 'c'], ['sheep'])
    with pytest.raises(ValueError, match='appears in two annotation files'):
        coco_sources([ann_a, ann_a], ['a'], ['sheep'])


def test_subsample():
    sources = {f'n{i}': f'p{i}' for i in range(10)}
    assert subsample(sources, None, 0) is sources
    assert subsample(sources, 20, 0) is sources
    sample = subsample(sources, 4, seed=1)
    assert len(sample) == 4 and sample == subsample(sources, 4, seed=1)
    assert all(sources[n] == p for n, p in sample.items())


def test_ade20k_txt_index(tmp_path):
    root = str(tmp_path / 'ADEChallengeData2016')
    index = tmp_path / 'sceneCategories.txt'
    index.write_text('ADE_train_00000001 bedroom\n'
                     'ADE_train_00000002 kitchen\n\n'
                     'ADE_val_00000001 bedroom\n')
    sources, splits = ade20k_sources(str(index), root, ['bedroom'])
    assert sources == {
        'ADE_train_00000001': osp.join(root, 'images', 'training',
                                       'ADE_train_00000001.jpg'),
        'ADE_val_00000001': osp.join(root, 'images', 'validation',
                                     'ADE_val_00000001.jpg')
    }
    assert splits == dict(ADE_train_00000001='train',
                          ADE_val_00000001='test')
    with open(index, 'a') as f:
        f.write('broken line here\n')
    with pytest.raises(ValueError, match=r'sceneCategories.txt:5: expected'):
        ade20k_sources(str(index), root, ['bedroom'])
    with pytest.raises(ValueError, match='expected index_ade20k.pkl or'):
        ade20k_sources(str(tmp_path / 'index.csv'), root, ['bedroom'])


def test_ade20k_pkl_index(tmp_path):
    assert scene_matches('/bedroom', ['bedroom'])
    assert scene_matches(['indoor', 'bedroom'], ['bedroom'])
    assert not scene_matches('/bedroom_attic', ['bedroom'])
    base = 'ADE20K_2021_17_01/images/ADE'
    index = dict(
        filename=['ADE_train_00000010.jpg', 'ADE_train_00000011.jpg',
                  'ADE_val_00000012.jpg'],
        folder=[f'{base}/training/bedroom', f'{base}/training/bathroom',
                f'{base}/validation/bedroom'],
        scene=['/bedroom', '/bathroom', ['indoor', 'bedroom']])
    pkl = tmp_path / 'index_ade20k.pkl'
    pkl.write_bytes(pickle.dumps(index))
    root = str(tmp_path / 'data')
    dataset = osp.join(root, 'ADE20K_2021_17_01')
    first = osp.join(dataset, 'images', 'ADE', 'training', 'bedroom',
                     'ADE_train_00000010.jpg')
    sources, splits = ade20k_sources(str(pkl), root, ['bedroom'])
    assert splits == dict(ADE_train_00000010='train',
                          ADE_val_00000012='test')
    assert sources['ADE_train_00000010'] == first
    # --root may also be the dataset folder itself
    sources, _ = ade20k_sources(str(pkl), dataset, ['bedroom'])
    assert sources['ADE_train_00000010'] == first
    pkl.write_bytes(pickle.dumps(dict(filename=[])))
    with pytest.raises(ValueError, match='not an ADE20K index'):
        ade20k_sources(str(pkl), root, ['bedroom'])


def test_folder_sources(tmp_path):
    src = tmp_path / 'photos'
    (src / 'sub').mkdir(parents=True)
    for rel in ('a.jpg', 'sub/a.png', 'c.png', 'notes.txt'):
        (src / rel).write_bytes(b'')
    assert folder_sources(str(src)) == {
        'a': str(src / 'a.jpg'), 'c': str(src / 'c.png'),
        'sub__a': str(src / 'sub' / 'a.png')}
    (src / 'a.png').write_bytes(b'')
    with pytest.raises(ValueError, match='map to the same output name'):
        folder_sources(str(src))
    with pytest.raises(NotADirectoryError, match='nowhere: no such folder'):
        folder_sources(str(tmp_path / 'nowhere'))
    test = tmp_path / 'test_photos'
    test.mkdir()
    (test / 't.png').write_bytes(b'')
    (src / 'a.png').unlink()
    sources, splits = train_test_folder_sources(str(src), str(test))
    assert sources['t'] == str(test / 't.png')
    assert splits == dict(a='train', c='train', sub__a='train', t='test')
    (test / 'c.png').write_bytes(b'')
    with pytest.raises(ValueError, match=r"names in both folders: \['c'\]"):
        train_test_folder_sources(str(src), str(test))
