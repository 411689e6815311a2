# Copyright (c) mmadvseg contributors. All rights reserved.
"""The converters as commands (their logic: tests/test_datasets/
test_sources.py, test_convert.py and test_convert_cli.py)."""
import json
import os
import os.path as osp
import pickle
import subprocess
import sys

import cv2
import numpy as np

from mmadvseg.datasets.layouts import paired_path, scan_images, unpaired_paths

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FAST = ['--nproc', '1', '--size', '32', '--no-progress']


def convert(tool, *args):
    """Run ``tools/dataset_converters/<tool>.py``."""
    return subprocess.run(
        [sys.executable, f'tools/dataset_converters/{tool}.py',
         *map(str, args)], cwd=REPO, capture_output=True, text=True)


def photo(seed, height=40, width=56):
    rng = np.random.default_rng(seed)
    img = np.full((height, width, 3), rng.integers(0, 256, 3), np.uint8)
    cv2.circle(img, (width // 2, height // 2), height // 4,
               rng.integers(0, 256, 3).tolist(), -1)
    return img


def write_images(root, rel_paths):
    for i, rel in enumerate(rel_paths):
        path = osp.join(root, rel)
        os.makedirs(osp.dirname(path), exist_ok=True)
        cv2.imwrite(path, photo(i))


def names_in(out, folder):
    """Sample names in ``train``/``test`` (paired) or ``trainA``... of a
    converted dataset ``out``."""
    layout = 'paired' if folder in ('train', 'test') else 'unpaired'
    return sorted(osp.splitext(osp.basename(p))[0]
                  for p in scan_images(osp.join(out, layout, folder)))


def test_coco_subset(tmp_path):
    # image id -> category ids (1 elephant, 2 sheep); 3 is a crowd
    contents = {1: [1], 2: [2], 3: [1, 2], 4: [], 7: [1], 8: [2]}
    images = [dict(id=i, file_name=f'{i:012d}.jpg', height=40, width=56)
              for i in contents]
    anns = [dict(id=len(contents) * i + c, image_id=i, category_id=c,
                 area=300, iscrowd=int(i == 3)) for i, cats in
            contents.items() for c in cats]
    ann = tmp_path / 'instances.json'
    ann.write_text(json.dumps(dict(images=images, annotations=anns,
                                   categories=[dict(id=1, name='elephant'),
                                               dict(id=2, name='sheep')])))
    write_images(tmp_path / 'images', [im['file_name'] for im in images])
    out = tmp_path / 'sheep'
    done = convert('coco_subset', '--ann', ann, '--images',
                   tmp_path / 'images', '--categories', 'sheep', 'elephant',
                   '--num-test', '1', '--seed', '0', '--sketch', 'canny',
                   '--out', out, *FAST)
    assert done.returncode == 0, done.stderr
    assert '4 images (3 train, 1 test)' in done.stdout
    train, test = names_in(out, 'train'), names_in(out, 'test')
    assert sorted(train + test) == [f'{i:012d}' for i in (1, 2, 7, 8)]
    assert len(test) == 1
    assert names_in(out, 'trainA') == names_in(out, 'trainB') == train
    assert names_in(out, 'testA') == test
    assert cv2.imread(paired_path(out, 'train', train[0])).shape == (32, 64,
                                                                      3)
    refused = convert('coco_subset', '--ann', ann, '--images', 'x',
                      '--categories', 'sheep', '--split', 'ann',
                      '--num-test', '1', '--out', out)
    assert refused.returncode == 1
    assert refused.stderr.startswith('error: --num-test/--test-ratio')


def test_ade20k_bedroom(tmp_path):
    root = str(tmp_path / 'ADEChallengeData2016')
    scenes = {'ADE_train_00000001': 'bedroom',
              'ADE_train_00000002': 'kitchen',
              'ADE_train_00000003': 'bedroom',
              'ADE_val_00000001': 'bedroom',
              'ADE_val_00000002': 'living_room'}
    write_images(root, [
        f'images/{"validation" if "val" in n else "training"}/{n}.jpg'
        for n in scenes
    ])
    index = osp.join(root, 'sceneCategories.txt')
    open(index, 'w').write(''.join(f'{n} {s}\n' for n, s in scenes.items()))
    out = str(tmp_path / 'bedroom')
    assert convert('ade20k_bedroom', '--index', index, '--root', root,
                   '--out', out, *FAST).returncode == 0
    assert names_in(out, 'trainB') == ['ADE_train_00000001',
                                       'ADE_train_00000003']
    assert names_in(out, 'testB') == ['ADE_val_00000001']
    # a random split instead of ADE20K's own
    out2 = str(tmp_path / 'random')
    assert convert('ade20k_bedroom', '--index', index, '--root', root,
                   '--out', out2, '--num-test', '2', *FAST).returncode == 0
    assert len(names_in(out2, 'test')) == 2


def test_ade20k_bedroom_2021_index(tmp_path):
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
    write_images(root, [osp.join(d, f)
                        for d, f in zip(index['folder'], index['filename'])])
    pkl = osp.join(root, 'ADE20K_2021_17_01', 'index_ade20k.pkl')
    pickle.dump(index, open(pkl, 'wb'))
    out = str(tmp_path / 'out')
    assert convert('ade20k_bedroom', '--index', pkl, '--root',
                   osp.join(root, 'ADE20K_2021_17_01'), '--out', out,
                   *FAST).returncode == 0
    assert names_in(out, 'train') == ['ADE_train_00000010',
                                      'ADE_train_00000013']
    assert names_in(out, 'test') == ['ADE_val_00000012']


def test_folder_to_sketch(tmp_path):
    src = tmp_path / 'photos'
    (src / 'sub').mkdir(parents=True)
    cv2.imwrite(str(src / 'a.jpg'), photo(1, 30, 31))
    cv2.imwrite(str(src / 'sub' / 'a.png'), photo(2)[..., 0])  # grayscale
    rgba = np.dstack([photo(3), np.full((40, 56), 128, np.uint8)])
    cv2.imwrite(str(src / 'c.png'), rgba)
    (src / 'broken.png').write_bytes(b'\x89PNG\r\n\x1a\n' + b'0' * 30)
    (src / 'notes.txt').write_text('not an image')
    out = str(tmp_path / 'out')
    done = convert('folder_to_sketch', src, out, '--nproc', '2', '--size',
                   '24', '--num-test', '1', '--no-progress', '--sketch',
                   'xdog', '--xdog-preset', 'xdog_paper', '--xdog-phi', '100')
    assert done.returncode == 1  # one file failed, the others were written
    assert str(src / 'broken.png') in done.stdout
    assert '3 converted' in done.stdout
    names = names_in(out, 'train') + names_in(out, 'test')
    assert sorted(names) == ['a', 'c', 'sub__a']
    for name in names:
        split = 'train' if name in names_in(out, 'train') else 'test'
        sketch = cv2.imread(unpaired_paths(out, split, name)[0],
                            cv2.IMREAD_UNCHANGED)
        assert sketch.shape == (24, 24)
    with open(osp.join(out, 'conversion.json')) as f:
        assert json.load(f)['params']['phi'] == 100.0
    # explicit test folder
    test_src = tmp_path / 'test_photos'
    test_src.mkdir()
    cv2.imwrite(str(test_src / 't.png'), photo(4))
    out2 = str(tmp_path / 'out2')
    (src / 'broken.png').unlink()
    assert convert('folder_to_sketch', src, out2, '--test-src', test_src,
                   '--nproc', '1', '--no-progress', '--size',
                   '24').returncode == 0
    assert names_in(out2, 'test') == ['t']


def test_folder_to_sketch_refuses_a_damaged_jpeg(tmp_path):
    """A JPEG cut short with its end marker intact decodes with a grey
    bottom half and only libjpeg's unattributed warning: it used to become
    a sample. Now it fails alone, named; a kill's leftovers go on the
    rerun and the dataset passes check_dataset --strict."""
    src = tmp_path / 'photos'
    src.mkdir()
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)
    jpeg = cv2.imencode('.jpg', noise)[1].tobytes()
    (src / 'damaged.jpg').write_bytes(jpeg[:len(jpeg) // 2] + b'\xff\xd9')
    for i in range(3):
        cv2.imwrite(str(src / f'p{i}.png'), photo(i))
    out = str(tmp_path / 'out')
    done = convert('folder_to_sketch', src, out, '--num-test', '1', *FAST)
    assert done.returncode == 1
    assert f'{src / "damaged.jpg"}: damaged JPEG (Corrupt JPEG data' \
        in done.stdout
    assert 'damaged' not in names_in(out, 'train') + names_in(out, 'test')
    (src / 'damaged.jpg').unlink()
    dead_pid = 2**22 + 1  # what a kill -9 during a write leaves
    left = osp.join(out, 'paired', 'train', f'x.png.{dead_pid}.0a1b.partial')
    with open(left, 'wb') as f:
        f.write(b'half a png')
    assert convert('folder_to_sketch', src, out, '--num-test', '1',
                   *FAST).returncode == 0
    assert not osp.exists(left)
    config = tmp_path / 'check.py'
    config.write_text(
        'train_dataloader = dict(dataset=dict(type="PairedImageDataset", '
        f'data_root={osp.join(out, "paired")!r}))\n')
    check = subprocess.run(
        [sys.executable, 'tools/misc/check_dataset.py', str(config),
         '--strict'], cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_toy_scenes(tmp_path):
    out = str(tmp_path / 'toy')
    done = convert('toy_scenes', out, '--num-train', '3', '--num-test', '2',
                   '--size', '40', '--color-mode', 'shared', '--nproc', '1')
    assert done.returncode == 0, done.stderr
    assert 'panoptic_train.json' in done.stdout
    assert len(names_in(out, 'trainA')) == 3
    assert len(names_in(out, 'test')) == 2
    content = json.load(open(osp.join(out, 'annotations',
                                      'panoptic_test.json')))
    assert len(content['images']) == 2
    assert convert('toy_scenes', out, '--size', '8').returncode == 1
