# Copyright (c) mmadvseg contributors. All rights reserved.
import cv2
import numpy as np
import pytest

from mmadvseg.datasets.sketch.canny import canny


def test_canny_outline():
    img = np.zeros((40, 40, 3), np.uint8)
    assert (canny(img) == 255).all()  # nothing to draw
    cv2.rectangle(img, (10, 10), (29, 29), (255, 255, 255), -1)
    out = canny(img)
    assert out.dtype == np.uint8 and out.shape == (40, 40)
    ink = out == 0
    assert ink[8:12, 15:25].any() and ink[28:32, 15:25].any()
    assert not ink[15:25, 15:25].any() and not ink[:5].any()
    # thicker lines, same result from a gray input
    assert (canny(img, thickness=3) == 0).sum() > ink.sum()
    assert (canny(img[..., 0]) == out).all()


def test_canny_arguments():
    img = np.zeros((8, 8), np.uint8)
    with pytest.raises(ValueError, match='must not exceed'):
        canny(img, low=200, high=100)
    with pytest.raises(TypeError, match='uint8'):
        canny(img.astype(np.float32))
