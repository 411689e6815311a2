# Copyright (c) mmadvseg contributors. All rights reserved.
import math
from typing import NamedTuple

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmadvseg.evaluation.functional import (
    confusion_matrix,
    segmentation_scores,
)
from mmadvseg.evaluation.metrics import SegConsistency


class _Maps(NamedTuple):
    probs: torch.Tensor
    binary: torch.Tensor


class LevelSegmenter(nn.Module):
    """Stub with the segmenter's interface: the class of a pixel is its blue
    level (0..255 split into ``num_classes`` bins); classes below
    ``num_things`` are things."""

    def __init__(self, num_things: int = 2, num_stuff: int = 2) -> None:
        super().__init__()
        self.num_things, self.num_stuff = num_things, num_stuff
        self.num_classes = num_things + num_stuff
        self.inputs = []

    def forward(self, images: torch.Tensor) -> _Maps:
        self.inputs.append(images.clone())
        blue = (images[:, 0] + 1) / 2  # BGR in [-1, 1]
        labels = (blue * self.num_classes).long().clamp(
            max=self.num_classes - 1)
        probs = F.one_hot(labels, self.num_classes)
        probs = probs.permute(0, 3, 1, 2).float()
        things = probs[:, :self.num_things].sum(1)
        binary = torch.stack([things, 1 - things], 1)
        return _Maps(probs, binary)


def _images_from_labels(labels: np.ndarray, num_classes: int,
                        rng: np.random.Generator) -> torch.Tensor:
    """(H, W) labels -> (3, H, W) BGR float [0, 255] image the stub maps
    back to the labels."""
    step = 256 / num_classes
    img = rng.integers(0, 256, (3, ) + labels.shape).astype(np.float32)
    img[0] = np.floor(labels * step + step / 2)
    return torch.from_numpy(img)


def test_scores_from_known_label_maps():
    rng = np.random.default_rng(0)
    seg = LevelSegmenter(num_things=2, num_stuff=2)
    metric = SegConsistency(segmenter=seg, batch_size=2)
    real_labels = rng.integers(0, 4, (3, 8, 8))
    fake_labels = np.where(
        rng.random((3, 8, 8)) < 0.7, real_labels,
        rng.integers(0, 4, (3, 8, 8)))
    samples = [
        dict(
            fake_photo=_images_from_labels(f, 4, rng),
            img_photo=_images_from_labels(r, 4, rng))
        for r, f in zip(real_labels, fake_labels)
    ]
    metric.process({}, samples[:2])
    metric.process({}, samples[2:])
    result = metric.evaluate(3)

    expected = segmentation_scores(
        confusion_matrix(real_labels, fake_labels, 4),
        groups=dict(thing=[0, 1], stuff=[2, 3]))
    for key, value in expected.items():
        assert result[key] == pytest.approx(value), key
    binary = segmentation_scores(
        confusion_matrix(real_labels >= 2, fake_labels >= 2, 2))
    assert result['aAcc_binary'] == pytest.approx(binary['aAcc'])
    assert result['mIoU_binary'] == pytest.approx(binary['mIoU'])
    assert result['num_images'] == 3
    assert 0 < result['mIoU'] < 1

    # the segmenter was given BGR in [-1, 1] (fakes then reals)
    first = seg.inputs[0]
    assert first.min() >= -1 and first.max() <= 1
    torch.testing.assert_close(first[0],
                               samples[0]['fake_photo'] / 127.5 - 1)
    torch.testing.assert_close(first[2], samples[0]['img_photo'] / 127.5 - 1)


def test_simple_case_by_hand():
    """Reference all class 0; half of the generated image class 1."""
    seg = LevelSegmenter(num_things=1, num_stuff=1)
    metric = SegConsistency(segmenter=seg)
    real = torch.zeros(3, 4, 4)
    fake = torch.zeros(3, 4, 4)
    fake[0, :, 2:] = 255
    metric.process({}, [dict(fake_photo=fake, img_photo=real)])
    result = metric.evaluate(1)
    assert result['aAcc'] == pytest.approx(0.5)
    assert result['mIoU'] == pytest.approx(0.25)  # IoU 0.5 and 0
    assert result['mIoU_thing'] == pytest.approx(0.5)
    assert result['aAcc_thing'] == pytest.approx(0.5)
    assert result['mIoU_stuff'] == pytest.approx(0.0)
    assert math.isnan(result['aAcc_stuff'])  # no stuff pixel in reference
    assert result['aAcc_binary'] == pytest.approx(0.5)


def test_unpaired_sizes_rejected():
    metric = SegConsistency(segmenter=LevelSegmenter())
    with pytest.raises(ValueError, match='paired'):
        metric.process({}, [
            dict(fake_photo=torch.zeros(3, 4, 4), img_photo=torch.zeros(
                3, 8, 8))
        ])


def test_tiny_panoptic_segmenter_built_lazily():
    """The real segmenter (tiny, random weights) from a config."""
    from mmadvseg.testing import tiny_segmenter_cfg
    metric = SegConsistency(
        segmenter=tiny_segmenter_cfg(num_things=3, num_stuff=2))
    assert metric.segmenter is None
    rng = np.random.default_rng(1)
    images = [
        torch.from_numpy(rng.integers(0, 256, (3, 32, 32)).astype(np.float32))
        for _ in range(3)
    ]
    metric.process({}, [dict(fake_photo=img, img_photo=img) for img in images])
    assert type(metric.segmenter).__name__ == 'FrozenPanopticSegmenter'
    same = metric.evaluate(3)
    assert same['aAcc'] == pytest.approx(1.0)
    assert same['mIoU'] == pytest.approx(1.0)
    assert same['aAcc_binary'] == pytest.approx(1.0)

    metric.process({}, [
        dict(fake_photo=images[i], img_photo=images[(i + 1) % 3])
        for i in range(3)
    ])
    other = metric.evaluate(3)
    assert set(other) == set(same)
    assert other['num_images'] == 3
    for key in ('mIoU', 'aAcc', 'aAcc_binary'):
        assert 0 <= other[key] <= 1
