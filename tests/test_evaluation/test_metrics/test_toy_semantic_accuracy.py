# Copyright (c) mmadvseg contributors. All rights reserved.
"""ToySemanticAccuracy: generated images against the ground-truth labels in
the data samples."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from mmadvseg.evaluation.metrics.toy_semantic_accuracy import (
    IGNORE_INDEX,
    ToySemanticAccuracy,
)
from mmadvseg.testing import OracleSegmenter, image_key
from mmadvseg.toy import ToyScenes


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    return ToyScenes(str(tmp_path_factory.mktemp('toy')), 1, 4, 64).ensure()


def _samples(toy, fake_from_real=True):
    """Data samples as the toy test pipeline makes them (labels from
    LoadToyLabels), and the oracle's table of the real photos' labels."""
    samples, table = [], {}
    for name in toy.names('test'):
        path = osp.join(toy.img_dir('test'), f'{name}.png')
        real = torch.from_numpy(cv2.imread(path)).permute(2, 0, 1).float()
        fake = real.clone() if fake_from_real else 255 - real
        labels = ToyScenes.read_labels(path)
        samples.append(dict(fake_photo=fake, img_photo=real, gt_seg=labels))
        table[image_key(real / 127.5 - 1)] = labels
    return samples, table


def _scores(samples, segmenter, **kwargs):
    metric = ToySemanticAccuracy(segmenter=segmenter, **kwargs)
    metric.process(None, samples)
    return metric, metric.compute_metrics(metric.results)


def test_perfect_and_wrong_colorizations(toy):
    samples, table = _samples(toy)
    _, scores = _scores(samples, OracleSegmenter(table))
    assert scores['mIoU'] == pytest.approx(1.0)
    assert scores['aAcc'] == pytest.approx(1.0)
    assert scores['aAcc_binary'] == pytest.approx(1.0)
    assert scores['real_mIoU'] == pytest.approx(1.0)
    assert scores['L1'] == pytest.approx(0.0)
    assert scores['num_images'] == 4

    samples, table = _samples(toy, fake_from_real=False)
    _, scores = _scores(samples, OracleSegmenter(table))
    assert scores['real_aAcc'] == pytest.approx(1.0)
    assert scores['aAcc'] < 0.5  # unknown images -> class 0 everywhere
    assert scores['L1'] > 0.1


def test_counts_equal_a_dense_confusion_matrix(toy):
    """The sparse counts add up to the confusion matrix written out."""
    from mmadvseg.evaluation.functional import (
        confusion_matrix,
        segmentation_scores,
    )
    samples, _ = _samples(toy)
    _, scores = _scores(samples, OracleSegmenter(constant=4))
    gt = np.concatenate([s['gt_seg'].ravel() for s in samples])
    cm = confusion_matrix(gt, np.full_like(gt, 4), 6)
    assert scores['aAcc'] == pytest.approx(cm[4, 4] / cm.sum())
    assert scores['mIoU'] == pytest.approx(segmentation_scores(cm)['mIoU'])
    assert 0 < scores['mIoU'] < 0.5


def test_ignored_pixels_and_resized_labels(toy):
    samples, table = _samples(toy)
    for s in samples:
        gt = s['gt_seg'].copy()
        gt[:, :8] = IGNORE_INDEX  # unlabelled: never counted
        # labels at twice the image size are resized (nearest)
        s['gt_seg'] = np.kron(gt, np.ones((2, 2), gt.dtype))
    _, scores = _scores(samples, OracleSegmenter(table))
    assert scores['aAcc'] == pytest.approx(1.0)


def test_real_image_of_another_scene_is_not_compared(toy):
    """Unpaired data: a real photo of another scene gets neither L1 nor
    real_* scores."""
    samples, table = _samples(toy, fake_from_real=False)
    for s in samples[:2]:
        s['same_scene'] = False
    metric, scores = _scores(samples, OracleSegmenter(table))
    assert ['real_classes' in r for r in metric.results] == [
        False, False, True, True
    ]
    assert scores['real_mIoU'] == pytest.approx(1.0)
    assert scores['num_images'] == 4
    for s in samples[2:]:
        s['same_scene'] = False
    _, scores = _scores(samples, OracleSegmenter(table))
    assert np.isnan(scores['L1'])
    assert 'real_mIoU' not in scores


class _VoidOracle(OracleSegmenter):
    """An oracle that, like ``PanopticJudge``, reports void pixels (the
    left ``width`` columns of every image) it filled with their classes."""

    def __init__(self, table, width):
        super().__init__(table)
        self.width = width

    def forward(self, bgr):
        void = torch.zeros(bgr.shape[-2:], dtype=torch.bool)
        void[:, :self.width] = True
        self.last_void_masks = [void] * len(bgr)
        return super().forward(bgr)


def test_void_pixels_scored_as_errors_or_left_out(toy):
    """Void sensitivity: beside the nearest-class fill (``mIoU``), void
    pixels counted as wrong and left out, as from dense matrices."""
    from mmadvseg.evaluation.functional import (
        confusion_matrix,
        segmentation_scores,
    )
    samples, table = _samples(toy)
    _, scores = _scores(samples, _VoidOracle(table, width=16))
    assert scores['void'] == pytest.approx(0.25)
    assert scores['mIoU'] == pytest.approx(1.0)
    assert scores['mIoU_void_ignored'] == pytest.approx(1.0)
    gt = np.stack([s['gt_seg'] for s in samples])
    pred = gt.copy()
    pred[:, :, :16] = 6  # an extra class: wrong for every class
    cm = confusion_matrix(gt.ravel(), pred.ravel(), 7)
    expected = segmentation_scores(cm, dict(c=range(6)))['mIoU_c']
    assert scores['mIoU_void_error'] == pytest.approx(expected)
    assert 0.5 < scores['mIoU_void_error'] < 0.9
    # a segmenter without voids reports none of these
    _, scores = _scores(samples, OracleSegmenter(table))
    assert 'mIoU_void_error' not in scores and 'void' not in scores


def test_missing_labels_say_how_to_add_them(toy):
    samples, table = _samples(toy)
    del samples[0]['gt_seg']
    with pytest.raises(KeyError, match='LoadToyLabels'):
        _scores(samples, OracleSegmenter(table))


def test_registered():
    from mmagic.registry import METRICS
    assert METRICS.get('ToySemanticAccuracy') is ToySemanticAccuracy
