# Copyright (c) mmadvseg contributors. All rights reserved.
"""The colour-range judge: no learned part, and it segments the real
distinct-colour scenes almost perfectly."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from mmadvseg.toy import ToyScenes
from mmadvseg.toy.judges import ColourRangeJudge
from mmadvseg.toy.segmenter import toy_segmentation_scores


@pytest.fixture(scope='module')
def distinct(tmp_path_factory) -> ToyScenes:
    return ToyScenes(str(tmp_path_factory.mktemp('toy')), 1, 100, 64,
                     layouts=()).ensure(nproc=2)


def test_segments_the_real_distinct_scenes(distinct):
    scores = toy_segmentation_scores(ColourRangeJudge(), distinct)
    assert scores['mIoU'] >= 0.95
    assert scores['aAcc_binary'] >= 0.99


def test_no_learned_parts_and_the_segmenter_interface(distinct):
    judge = ColourRangeJudge()
    assert not list(judge.parameters())
    bgr = cv2.imread(osp.join(distinct.img_dir('test'), '000000.png'))
    x = torch.from_numpy(bgr).permute(2, 0, 1)[None].float() / 127.5 - 1
    maps = judge(torch.cat([x, x.flip(-1)]))
    assert maps.probs.shape == (2, 6, 64, 64)
    torch.testing.assert_close(maps.probs.sum(1), torch.ones(2, 64, 64))
    np.testing.assert_array_equal(maps.probs[0].argmax(0).numpy(),
                                  judge.labels(bgr))
    torch.testing.assert_close(maps.binary[:, 0], maps.probs[:, :3].sum(1))


@pytest.mark.parametrize('hsv, label', [
    ((105, 100, 240), 3),  # sky blue
    ((55, 180, 60), 4),  # dark shaded grass keeps its hue
    ((5, 200, 90), 2),  # red bird in a darkened outline
    ((90, 5, 120), 0),  # grey: hue is noise, low saturation -> elephant
])
def test_pixels_take_the_class_of_their_colour_range(hsv, label):
    pixel = cv2.cvtColor(np.uint8([[hsv]]), cv2.COLOR_HSV2BGR)
    assert ColourRangeJudge().labels(pixel)[0, 0] == label


def test_shared_colours_defeat_it(tmp_path):
    shared = ToyScenes(str(tmp_path), 1, 30, 64, color_mode='shared',
                       layouts=()).ensure()
    assert toy_segmentation_scores(ColourRangeJudge(), shared)['mIoU'] < 0.5
