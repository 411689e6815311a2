# Copyright (c) mmadvseg contributors. All rights reserved.
"""FeatureFrechetDistance: the Fréchet distance in a judge's features."""
import numpy as np
import pytest
import torch
import torch.nn as nn

from mmadvseg.evaluation.functional import frechet_distance_from_features
from mmadvseg.evaluation.metrics import FeatureFrechetDistance


class MeanColour(nn.Module):
    """Features: the mean BGR colour of an image in [-1, 1]."""

    def __init__(self):
        super().__init__()
        self.register_buffer('dummy', torch.zeros(1))

    def features(self, bgr):
        return bgr.mean((2, 3))


def _samples(shift):
    torch.manual_seed(0)
    out = []
    for _ in range(12):
        real = torch.rand(3, 8, 8) * 255
        out.append(dict(img_photo=real,
                        fake_photo=(real + shift).clamp(0, 255)))
    return out


def test_zero_for_identical_sets_and_equal_to_the_formula():
    metric = FeatureFrechetDistance(segmenter=MeanColour(), quantize=False)
    metric.process(None, _samples(0.0))
    assert metric.compute_metrics(metric.results)['fd'] == pytest.approx(
        0.0, abs=1e-9)
    metric = FeatureFrechetDistance(segmenter=MeanColour(), quantize=False,
                                    batch_size=5)
    samples = _samples(20.0)
    metric.process(None, samples)
    result = metric.compute_metrics(metric.results)
    feats = {k: np.stack([
        (s[k] / 127.5 - 1).mean((1, 2)).numpy()
        for s in samples
    ]).astype(np.float64) for k in ('fake_photo', 'img_photo')}
    # the judge saw the BGR images in [-1, 1]
    expected = frechet_distance_from_features(feats['fake_photo'],
                                              feats['img_photo'])
    assert result['fd'] == pytest.approx(expected, rel=1e-4)
    assert result['fd'] > 0.01 and result['num_images'] == 12
