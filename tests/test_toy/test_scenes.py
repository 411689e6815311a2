# Copyright (c) mmadvseg contributors. All rights reserved.
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmadvseg.datasets.layouts import paired_path, scan_images, unpaired_paths
from mmadvseg.datasets.record import read_settings
from mmadvseg.toy import TOY_CLASSES, TOY_METAINFO, ToyScenes
from mmadvseg.toy.render import id2rgb, render_scene, scene_rng


def generate(root, num_train, num_test, size=64, **kwargs):
    return ToyScenes(str(root), num_train, num_test, size, **kwargs).ensure()


def test_class_constants():
    flags = [c['isthing'] for c in TOY_CLASSES]
    assert flags == sorted(flags, reverse=True)  # things first, then stuff
    assert sum(flags) == 3 and len(flags) == 6
    assert len({c['id'] for c in TOY_CLASSES}) == 6
    assert TOY_METAINFO['classes'] == (TOY_METAINFO['thing_classes'] +
                                       TOY_METAINFO['stuff_classes'])
    assert len(TOY_METAINFO['palette']) == 6


@pytest.mark.parametrize('size', [48, 97])
def test_render_scene_ground_truth(size):
    scene = render_scene(scene_rng(0, 'train', 3), size, 'distinct')
    assert scene.photo.shape == (size, size, 3)
    assert scene.outline.shape == scene.seg.shape == (size, size)
    ids = {s['id'] for s in scene.segments}
    assert ids == set(np.unique(scene.seg).tolist())
    assert sum(s['area'] for s in scene.segments) == size * size
    cat_ids = {c['id'] for c in TOY_CLASSES}
    for seg in scene.segments:
        ys, xs = np.nonzero(scene.seg == seg['id'])
        assert seg['bbox'] == [xs.min(), ys.min(), xs.ptp() + 1, ys.ptp() + 1]
        assert seg['area'] == len(xs) and seg['iscrowd'] == 0
        assert seg['category_id'] in cat_ids
    # the sketch has ink on every boundary between segments
    boundary = scene.seg[:, :-1] != scene.seg[:, 1:]
    assert (scene.outline[:, :-1][boundary] == 0).all()
    # the label map is the class of each pixel's segment
    category = {s['id']: s['category_id'] for s in scene.segments}
    index = {c['id']: i for i, c in enumerate(TOY_CLASSES)}
    want = np.vectorize(lambda s: index[category[s]])(scene.seg)
    np.testing.assert_array_equal(scene.labels, want)


def test_scenes_have_things_and_stuff():
    things = stuff = 0
    for i in range(20):
        scene = render_scene(scene_rng(1, 'train', i), 64, 'distinct')
        cats = [s['category_id'] for s in scene.segments]
        things += sum(c <= 3 for c in cats)
        stuff += sum(c > 3 for c in cats)
        assert 4 in cats and 5 in cats  # sky and grass in every scene
    assert things >= 20 and stuff >= 40


def test_render_is_deterministic_per_seed():
    a = render_scene(scene_rng(7, 'train', 5), 64, 'distinct')
    b = render_scene(scene_rng(7, 'train', 5), 64, 'distinct')
    c = render_scene(scene_rng(7, 'test', 5), 64, 'distinct')
    assert (a.photo == b.photo).all() and (a.seg == b.seg).all()
    assert a.segments == b.segments
    assert not (a.photo == c.photo).all()
    # colour modes share the geometry and differ in colour
    shared = render_scene(scene_rng(7, 'train', 5), 64, 'shared')
    assert (shared.seg == a.seg).all() and (shared.outline == a.outline).all()
    assert not (shared.photo == a.photo).all()
    with pytest.raises(ValueError, match='color_mode'):
        render_scene(scene_rng(0, 'train', 0), 64, 'pastel')


def _colour_lookup_accuracy(color_mode, num=16, size=48):
    """Pixel accuracy of a nearest-class-mean colour classifier fitted on
    half of the scenes and evaluated on the other half."""
    pixels = {True: [], False: []}
    for i in range(num):
        scene = render_scene(scene_rng(2, 'train', i), size, color_mode)
        labels = np.vectorize({s['id']: s['category_id']
                               for s in scene.segments}.get)(scene.seg)
        pixels[i % 2 == 0].append((scene.photo.reshape(-1, 3).astype(float),
                                   labels.reshape(-1)))
    fit_x = np.concatenate([p for p, _ in pixels[True]])
    fit_y = np.concatenate([lab for _, lab in pixels[True]])
    cats = np.unique(fit_y)
    means = np.stack([fit_x[fit_y == c].mean(0) for c in cats])
    test_x = np.concatenate([p for p, _ in pixels[False]])
    test_y = np.concatenate([lab for _, lab in pixels[False]])
    dist = ((test_x[:, None] - means[None]) ** 2).sum(-1)
    return (cats[dist.argmin(1)] == test_y).mean()


def test_shared_colours_defeat_a_colour_lookup():
    distinct = _colour_lookup_accuracy('distinct')
    shared = _colour_lookup_accuracy('shared')
    assert distinct > 0.85
    assert shared < distinct - 0.3


def _tree_bytes(root):
    return {osp.relpath(p, root): open(p, 'rb').read()
            for p in scan_images(root)}


def test_generate_layouts_and_determinism(tmp_path):
    one = generate(tmp_path / 'a', 5, 2, 48, seed=3)
    two = ToyScenes(str(tmp_path / 'b'), 5, 2, 48, seed=3).ensure(nproc=2)
    assert _tree_bytes(one.root) == _tree_bytes(two.root)
    for split in ('train', 'test'):
        assert json.load(open(one.ann_file(split))) == json.load(
            open(two.ann_file(split)))
    # existing scenes do not change when more are generated
    more = generate(tmp_path / 'c', 7, 1, 48, seed=3)
    for name in ('000000.png', '000004.png'):
        for folder in ('images/train', 'panoptic/train', 'paired/train',
                       'unpaired/trainA'):
            assert open(osp.join(one.root, folder, name), 'rb').read() == \
                open(osp.join(more.root, folder, name), 'rb').read()
    # a smaller run into the same folder leaves no stale scene behind
    generate(more.root, 2, 1, 48, seed=3, layouts=['paired'])
    assert len(scan_images(more.root)) == (2 + 1) * 4
    # GAN layouts: A = outline sketch, B = photo, A|B side by side
    photo = cv2.imread(osp.join(one.img_dir('test'), '000001.png'))
    path_a, path_b = unpaired_paths(one.root, 'test', '000001')
    assert (cv2.imread(path_b) == photo).all()
    ab = cv2.imread(paired_path(one.root, 'test', '000001'))
    assert ab.shape == (48, 96, 3) and (ab[:, 48:] == photo).all()
    assert (ab[:, :48, 0] == cv2.imread(path_a, cv2.IMREAD_GRAYSCALE)).all()
    assert len(scan_images(osp.join(one.data_root('unpaired'),
                                    'trainA'))) == 5


def test_generate_panoptic_files(tmp_path):
    dataset = generate(tmp_path, 3, 1, 40, seed=0, layouts=())
    assert not osp.exists(dataset.data_root('paired'))
    content = json.load(open(dataset.ann_file('train')))
    assert content['categories'] == [dict(c) for c in TOY_CLASSES]
    assert [im['id'] for im in content['images']] == [0, 1, 2]
    for image, ann in zip(content['images'], content['annotations']):
        assert ann['image_id'] == image['id']
        assert (image['height'], image['width']) == (40, 40)
        png = cv2.imread(osp.join(dataset.seg_dir('train'),
                                  ann['file_name']))[..., ::-1].astype(int)
        seg = png[..., 0] + 256 * png[..., 1] + 256 * 256 * png[..., 2]
        assert set(np.unique(seg)) == {s['id'] for s in ann['segments_info']}
    seg = np.array([[0, 255], [256, 70000]])
    rgb = id2rgb(seg).astype(int)
    assert (rgb[..., 0] + 256 * rgb[..., 1] + 65536 * rgb[..., 2] == seg).all()
    with pytest.raises(ValueError, match='sketch'):
        ToyScenes(str(tmp_path), 1, 0, sketch='pencil')


@pytest.mark.parametrize('sketch', ['xdog', 'canny'])
def test_generate_with_extracted_sketches(tmp_path, sketch):
    dataset = generate(tmp_path, 2, 0, 48, sketch=sketch,
                       layouts=['unpaired'])
    path_a = unpaired_paths(dataset.root, 'train', '000000')[0]
    sketch_img = cv2.imread(path_a, cv2.IMREAD_UNCHANGED)
    assert sketch_img.shape == (48, 48) and (sketch_img < 128).any()


def test_loads_with_mmdet_coco_panoptic(tmp_path):
    """The panoptic ground truth loads with mmdet 3.3.0's
    CocoPanopticDataset and LoadPanopticAnnotations."""
    from mmdet.registry import DATASETS
    from mmengine.registry import DefaultScope
    toy = generate(tmp_path, 4, 2, 64, seed=5, layouts=())
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadPanopticAnnotations', with_bbox=True, with_label=True,
             with_mask=True, with_seg=True),
    ]
    for split, num in (('train', 4), ('test', 2)):
        with DefaultScope.overwrite_default_scope('mmdet'):
            dataset = DATASETS.build(
                toy.mmdet_dataset_cfg(split, pipeline=pipeline,
                                      test_mode=split == 'test'))
        assert dataset.metainfo['classes'] == TOY_METAINFO['classes']
        content = json.load(open(toy.ann_file(split)))
        assert len(dataset) == num
        for i in range(len(dataset)):
            item = dataset[i]
            img_id = dataset.get_data_info(i)['img_id']
            info = content['annotations'][img_id]['segments_info']
            things = [s for s in info if s['category_id'] <= 3]
            assert item['img'].shape == (64, 64, 3)
            assert len(item['gt_bboxes_labels']) == len(things)
            assert sorted(item['gt_bboxes_labels'].tolist()) == sorted(
                s['category_id'] - 1 for s in things)
            assert item['gt_masks'].masks.shape[0] == len(things)
            sem = item['gt_seg_map']
            # every pixel has a class (0..5): no void in the toy scenes
            assert sem.shape == (64, 64) and sem.max() < 6
            areas = {s['category_id'] - 1: 0 for s in info}
            for s in info:
                areas[s['category_id'] - 1] += s['area']
            for label, area in areas.items():
                assert (sem == label).sum() == area


def test_ensure_is_idempotent_and_checks_the_record(tmp_path):
    """One "current?" check: the record equals the wanted settings; it is
    written last, so an interrupted generation never passes."""
    scenes = ToyScenes(str(tmp_path), 3, 1, 40)
    assert not scenes.is_current()
    scenes.ensure()
    assert scenes.is_current()
    assert read_settings(scenes.root)['num_train'] == 3
    photo = osp.join(scenes.img_dir('train'), '000000.png')
    mtime = os.stat(photo).st_mtime_ns
    scenes.ensure()  # current: nothing rewritten
    assert os.stat(photo).st_mtime_ns == mtime
    other = ToyScenes(str(tmp_path), 3, 1, 40, seed=1)
    assert not other.is_current()
    other.ensure()
    assert other.is_current() and not scenes.is_current()
    assert os.stat(photo).st_mtime_ns != mtime
    # a generation killed midway leaves no record: not current
    os.remove(osp.join(scenes.root, 'conversion.json'))
    assert not other.is_current()


def test_from_root_takes_the_recorded_settings(tmp_path):
    ToyScenes(str(tmp_path), 3, 1, 40, color_mode='shared').ensure()
    scenes = ToyScenes.from_root(str(tmp_path))
    assert (scenes.num_train, scenes.size, scenes.color_mode) == (3, 40,
                                                                 'shared')
    assert scenes.is_current()
    assert ToyScenes.from_root(str(tmp_path), size=48).size == 48
    fresh = ToyScenes.from_root(str(tmp_path / 'none'))
    assert fresh.num_train == ToyScenes.num_train


def test_locate_and_read_labels(tmp_path):
    scenes = generate(tmp_path, 1, 3, 40)
    for path in (paired_path(scenes.root, 'test', '000002'),
                 *unpaired_paths(scenes.root, 'test', '000002'),
                 osp.join(scenes.img_dir('test'), '000002.png')):
        assert ToyScenes.locate(path) == (scenes.root, 'test', '000002')
        np.testing.assert_array_equal(
            ToyScenes.read_labels(path),
            render_scene(scene_rng(0, 'test', 2), 40, 'distinct').labels)
    with pytest.raises(ValueError, match='not a toy scene file'):
        ToyScenes.locate('/d/other/000001.png')
    os.remove(osp.join(scenes.label_dir('test'), '000001.png'))
    with pytest.raises(FileNotFoundError, match='regenerate'):
        ToyScenes.read_labels(paired_path(scenes.root, 'test', '000001'))
