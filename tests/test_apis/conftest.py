# Copyright (c) mmadvseg contributors. All rights reserved.
"""Tiny trained-model files (random weights) shared by the API tests."""
import cv2
import numpy as np
import pytest

from mmadvseg.testing import make_paired, make_unpaired
from mmadvseg.testing.tiny_checkpoints import write_tiny_model


@pytest.fixture(scope='session')
def tiny_models(tmp_path_factory) -> dict:
    """``{'pix2pix': (config, checkpoint), 'cyclegan': (...)}``, with tiny
    test sets (40 px)."""
    root = tmp_path_factory.mktemp('tiny_models')
    return dict(
        pix2pix=write_tiny_model(
            root, 'AdvSegPix2Pix',
            data_root=make_paired(root / 'paired', size=40)),
        cyclegan=write_tiny_model(
            root, 'AdvSegCycleGAN',
            data_root=make_unpaired(root / 'unpaired', size=40)))


def sketch(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A BGR line drawing: black strokes on white paper."""
    rng = np.random.default_rng(seed)
    img = np.full((height, width, 3), 255, np.uint8)
    for _ in range(6):
        p1, p2 = rng.integers(0, [width, height], (2, 2))
        cv2.line(img, tuple(map(int, p1)), tuple(map(int, p2)), (0, 0, 0), 2)
    return img
