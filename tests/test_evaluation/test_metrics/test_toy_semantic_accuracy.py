# Copyright (c) mmadvseg contributors. All rights reserved.
"""ToySemanticAccuracy: generated toy scenes against ground-truth labels."""
import os.path as osp
from typing import NamedTuple

import cv2
import numpy as np
import pytest
import torch
import torch.nn as nn

from mmadvseg.datasets.toy_scenes import (
    TOY_CLASSES,
    generate_toy_scenes,
    render_scene,
    scene_rng,
)
from mmadvseg.evaluation.metrics.toy_semantic_accuracy import (
    IGNORE_INDEX,
    ToyGroundTruth,
    ToySemanticAccuracy,
    locate_toy_ground_truth,
    toy_segmentation_scores,
)


class _Maps(NamedTuple):
    probs: torch.Tensor
    binary: torch.Tensor


class OracleSegmenter(nn.Module):
    """Returns one-hot maps of the labels registered for each image (looked
    up by the image's pixels), or of a constant class."""

    num_classes, num_things = 6, 3

    def __init__(self, table=None, constant=None):
        super().__init__()
        self.register_buffer('dummy', torch.zeros(1))
        self.table, self.constant = table or {}, constant

    def forward(self, bgr):
        out = []
        for img in bgr:
            key = _key(img)
            if self.constant is None and key in self.table:
                labels = torch.from_numpy(self.table[key])
            else:
                labels = torch.full(img.shape[-2:], self.constant or 0)
            out.append(nn.functional.one_hot(labels, 6).permute(2, 0, 1))
        probs = torch.stack(out).float()
        binary = torch.stack([probs[:, :3].sum(1), probs[:, 3:].sum(1)], 1)
        return _Maps(probs, binary)


def _key(img: torch.Tensor) -> bytes:
    return ((img + 1) * 127.5).round().to(torch.uint8).numpy().tobytes()


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('toy'))
    generate_toy_scenes(root, num_train=1, num_test=4, size=64)
    return root


def test_locate_ground_truth():
    assert locate_toy_ground_truth('/d/paired/test/000003.png') == (
        '/d', 'test', '000003')
    assert locate_toy_ground_truth('/d/unpaired/trainA/000001.png') == (
        '/d', 'train', '000001')
    assert locate_toy_ground_truth('/d/images/test/000002.png')[1] == 'test'
    with pytest.raises(ValueError):
        locate_toy_ground_truth('/d/other/000001.png')


def test_ground_truth_labels_match_the_scene(toy):
    labels = ToyGroundTruth().labels_for(
        osp.join(toy, 'paired', 'test', '000002.png'))
    scene = render_scene(scene_rng(0, 'test', 2), 64)
    expected = np.array([TOY_CLASSES.index(
        next(c for c in TOY_CLASSES
             if c['id'] == s['category_id'])) for s in scene.segments])
    lut = {s['id']: e for s, e in zip(scene.segments, expected)}
    want = np.vectorize(lut.get)(scene.seg)
    np.testing.assert_array_equal(labels, want)
    assert IGNORE_INDEX not in labels


def _samples(toy, fake_from_real=True):
    gt = ToyGroundTruth()
    samples, table = [], {}
    for i in range(4):
        name = f'{i:06d}'
        photo = cv2.imread(osp.join(toy, 'images', 'test', f'{name}.png'))
        real = torch.from_numpy(photo).permute(2, 0, 1).float()
        fake = real.clone() if fake_from_real else 255 - real
        samples.append(
            dict(fake_photo=fake, img_photo=real,
                 pair_path=osp.join(toy, 'paired', 'test', f'{name}.png')))
        table[_key(real / 127.5 - 1)] = gt.labels(toy, 'test', name)
    return samples, table


def test_perfect_and_wrong_colorizations(toy):
    samples, table = _samples(toy)
    metric = ToySemanticAccuracy(segmenter=OracleSegmenter(table))
    metric.process(None, samples)
    scores = metric.compute_metrics(metric.results)
    assert scores['mIoU'] == pytest.approx(1.0)
    assert scores['aAcc'] == pytest.approx(1.0)
    assert scores['aAcc_binary'] == pytest.approx(1.0)
    assert scores['real_mIoU'] == pytest.approx(1.0)
    assert scores['L1'] == pytest.approx(0.0)
    assert scores['num_images'] == 4

    samples, table = _samples(toy, fake_from_real=False)
    metric = ToySemanticAccuracy(segmenter=OracleSegmenter(table))
    metric.process(None, samples)
    scores = metric.compute_metrics(metric.results)
    assert scores['real_aAcc'] == pytest.approx(1.0)
    assert scores['aAcc'] < 0.5  # unknown images -> class 0 everywhere
    assert scores['L1'] > 0.1


def test_real_image_of_another_scene_is_not_compared(toy):
    """Unpaired data: a real photo of another scene gets neither L1 nor
    real_* scores against the sketch's labels."""
    samples, table = _samples(toy, fake_from_real=False)
    for s in samples[:2]:
        s['img_photo_path'] = '/x/unpaired/testB/999999.png'
    metric = ToySemanticAccuracy(segmenter=OracleSegmenter(table))
    metric.process(None, samples)
    assert ['real_cm' in r for r in metric.results] == [False, False] + [
        True, True]
    scores = metric.compute_metrics(metric.results)
    assert scores['real_mIoU'] == pytest.approx(1.0)
    assert scores['num_images'] == 4
    for s in samples[2:]:
        s['img_photo_path'] = '/x/unpaired/testB/999999.png'
    metric = ToySemanticAccuracy(segmenter=OracleSegmenter(table))
    metric.process(None, samples)
    scores = metric.compute_metrics(metric.results)
    assert np.isnan(scores['L1'])
    assert 'real_mIoU' not in scores


def test_scores_of_a_segmenter_on_real_photos(toy):
    _, table = _samples(toy)
    scores = toy_segmentation_scores(OracleSegmenter(table), toy, 'test')
    assert scores['aAcc'] == pytest.approx(1.0)
    sky = toy_segmentation_scores(OracleSegmenter(constant=3), toy, 'test')
    assert sky['aAcc_binary'] < 1.0
    assert sky['aAcc_stuff'] > 0.0 and sky['aAcc_thing'] == 0.0


def test_registered():
    from mmagic.registry import METRICS
    assert METRICS.get('ToySemanticAccuracy') is ToySemanticAccuracy
