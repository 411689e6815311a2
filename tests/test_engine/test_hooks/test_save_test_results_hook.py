# Copyright (c) mmadvseg contributors. All rights reserved.
import json
import logging
import os.path as osp
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmagic.structures import DataSample

from mmadvseg.engine.hooks import SaveTestResultsHook


def _runner(work_dir: str) -> SimpleNamespace:
    return SimpleNamespace(
        work_dir=work_dir, logger=logging.getLogger('save_test_results'))


def _sample(value: int, **metainfo) -> DataSample:
    sample = DataSample(metainfo=metainfo)
    # mmagic's layout: (C, H, W), BGR, 0-255 floats
    sample.fake_photo = torch.stack([torch.full((4, 6), float(value)),
                                     torch.zeros(4, 6),
                                     torch.full((4, 6), 255.0)])
    return sample


def test_images_named_after_their_source_and_metrics_saved(tmp_path):
    hook = SaveTestResultsHook()
    runner = _runner(str(tmp_path))
    hook.before_test(runner)
    hook.after_test_iter(runner, 0, outputs=[
        _sample(10, pair_path='/data/test/sheep_001.jpg'),
        _sample(20, img_sketch_path='/data/testA/sheep_002.png'),
        _sample(30)
    ])
    hook.after_test_epoch(runner, metrics={'FID/fid': np.float64(1.5)})
    image = cv2.imread(osp.join(tmp_path, 'images', 'sheep_001.png'))
    assert image.shape == (4, 6, 3)
    np.testing.assert_array_equal(image[0, 0], [10, 0, 255])  # BGR kept
    assert osp.isfile(osp.join(tmp_path, 'images', 'sheep_002.png'))
    assert osp.isfile(osp.join(tmp_path, 'images', '0_000002.png'))
    with open(osp.join(tmp_path, 'metrics.json')) as f:
        assert json.load(f) == {'FID/fid': 1.5}


def test_a_missing_output_key_is_named(tmp_path):
    hook = SaveTestResultsHook(fake_key='fake_img')
    runner = _runner(str(tmp_path))
    hook.before_test(runner)
    with pytest.raises(KeyError, match="no 'fake_img'.*fake_photo"):
        hook.after_test_iter(runner, 0, outputs=[_sample(1)])
