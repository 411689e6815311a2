# Copyright (c) mmadvseg contributors. All rights reserved.
import cv2
import numpy as np
import pytest

from mmadvseg.evaluation.image_folder import load_image


def test_load_image_is_rgb_in_unit_range(tmp_path):
    path = str(tmp_path / 'a.png')
    bgr = np.zeros((4, 5, 3), np.uint8)
    bgr[..., 0] = 255  # blue, as OpenCV writes it
    cv2.imwrite(path, bgr)
    img = load_image(path)
    assert img.shape == (3, 4, 5)
    assert img[2].min() == 1.0 and img[:2].max() == 0.0


def test_unreadable_image_is_named(tmp_path):
    ok, png = cv2.imencode('.png', np.full((32, 32, 3), 7, np.uint8))
    path = tmp_path / 'cut.png'
    path.write_bytes(png.tobytes()[:40])
    with pytest.raises(ValueError, match='cut.png: cannot read the image'):
        load_image(str(path))
