# Copyright (c) mmadvseg contributors. All rights reserved.
"""PanopticJudge: an mmdet panoptic detector's own predictions as one-hot
maps, every pixel labelled; pooled features for a Fréchet distance."""
import numpy as np
import pytest
import torch

from mmadvseg.evaluation import PanopticJudge
from mmadvseg.utils.config import repo_config


@pytest.fixture(scope='module')
def judge():
    torch.manual_seed(0)
    return PanopticJudge(
        repo_config('toy/segmenters/panoptic_fpn_tiny_toy.py'),
        allow_random_init=True)


def test_maps_are_the_detectors_prediction_with_voids_filled(judge):
    from mmdet.evaluation.functional import INSTANCE_OFFSET
    torch.manual_seed(1)
    images = torch.rand(2, 3, 64, 64) * 2 - 1
    maps = judge(images)
    assert maps.probs.shape == (2, 6, 64, 64)
    torch.testing.assert_close(maps.probs.sum(1), torch.ones(2, 64, 64))
    assert set(maps.probs.unique().tolist()) <= {0.0, 1.0}
    assert len(judge.last_void_fraction) == 2
    assert all(0.0 <= v <= 1.0 for v in judge.last_void_fraction)
    # where the detector labelled a pixel, the judge keeps its class
    packed, samples = judge._packed(images)
    result = judge.detector.predict(packed, samples, rescale=True)[0]
    pan = result.pred_panoptic_seg.sem_seg[0].numpy() % INSTANCE_OFFSET
    labelled = pan < 6
    np.testing.assert_array_equal(
        maps.probs[0].argmax(0).numpy()[labelled], pan[labelled])
    # the filled pixels are reported, for the void-sensitivity scores
    np.testing.assert_array_equal(judge.last_void_masks[0].numpy(),
                                  ~labelled)
    assert [float(m.float().mean()) for m in judge.last_void_masks] == \
        pytest.approx(judge.last_void_fraction)


def test_frozen_and_without_gradient(judge):
    images = (torch.rand(1, 3, 64, 64) * 2 - 1).requires_grad_()
    assert not judge(images).probs.requires_grad
    assert not any(p.requires_grad for p in judge.parameters())
    judge.train()
    assert not judge.training


def test_features(judge):
    feats = judge.features(torch.rand(3, 3, 64, 64) * 2 - 1)
    assert feats.shape == (3, 5 * 32) and torch.isfinite(feats).all()


def test_needs_weights():
    with pytest.raises(ValueError, match='needs a checkpoint'):
        PanopticJudge(repo_config('toy/segmenters/panoptic_fpn_tiny_toy.py'))
