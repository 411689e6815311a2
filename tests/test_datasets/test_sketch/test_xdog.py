# Copyright (c) mmadvseg contributors. All rights reserved.
import numpy as np
import pytest

from mmadvseg.datasets.sketch.xdog import (
    XDOG_PRESETS,
    gaussian_blur,
    to_gray_float,
    xdog,
    xdog_params,
)


def _reference_xdog(gray_u8, sigma=0.5, k=200, gamma=0.98, phi=10,
                    eps=0.01):
    """The AdvSegLoss authors' util/xdog_filter.py, in float, per pixel."""
    from scipy.ndimage import gaussian_filter
    image = gray_u8.astype(np.float64)
    diff = (gaussian_filter(image, sigma) -
            gamma * gaussian_filter(image, sigma * k)) / 255
    out = np.empty_like(diff)
    for i in range(diff.shape[0]):
        for j in range(diff.shape[1]):
            out[i, j] = 1 if diff[i, j] >= eps else 1 + np.tanh(
                phi * (diff[i, j] - eps))
    return out * 255


def test_presets():
    assert XDOG_PRESETS['reference'] == dict(
        sigma=0.5, k=200.0, gamma=0.98, phi=10.0, eps=0.01)
    assert XDOG_PRESETS['xdog_paper']['k'] == 1.6
    params = xdog_params('reference', phi=20.0, eps=None)
    assert params['phi'] == 20.0 and params['eps'] == 0.01
    assert xdog_params(None, sigma=1.0) == dict(sigma=1.0)
    with pytest.raises(KeyError, match='xdog_paper'):
        xdog_params('cartoon')
    with pytest.raises(TypeError, match='unknown XDoG parameter'):
        xdog_params('reference', tau=0.9)


def test_reference_matches_authors_formula():
    rng = np.random.default_rng(0)
    gray = np.clip(rng.normal(128, 60, (24, 20)), 0, 255).astype(np.uint8)
    ours = xdog(gray, **XDOG_PRESETS['reference']).astype(np.float64)
    assert np.abs(ours - _reference_xdog(gray)).max() <= 1.0  # rounding


def test_blur_matches_scipy():
    from scipy.ndimage import gaussian_filter
    img = np.random.default_rng(1).random((30, 17)).astype(np.float32)
    for sigma in (0.5, 1.28, 40.0):
        assert np.allclose(
            gaussian_blur(img, sigma), gaussian_filter(img, sigma), atol=1e-5)


def test_xdog_lines_and_inputs():
    img = np.full((32, 32, 3), 200, np.uint8)
    img[:, 16:] = 40  # a vertical step edge
    out = xdog(img, **XDOG_PRESETS['xdog_paper'])
    assert out.dtype == np.uint8 and out.shape == (32, 32)
    # flat regions stay white, the edge gets ink on its dark side
    assert (out[:, :12] == 255).all() and (out[:, 22:] == 255).all()
    assert (out[:, 16:18] < 128).all()
    # gray, 1-channel and float inputs give the same sketch
    gray = to_gray_float(img)
    assert (xdog(img[..., :1]) == xdog(img[..., 0])).all()
    assert (xdog(gray, **XDOG_PRESETS['xdog_paper']) == out).all()
    binary = xdog(img, **XDOG_PRESETS['xdog_paper'], threshold=0.5)
    assert set(np.unique(binary)) <= {0, 255}
    with pytest.raises(ValueError, match='positive'):
        xdog(img, sigma=0)
    with pytest.raises(ValueError, match='gray or BGR'):
        xdog(np.zeros((4, 4, 2), np.uint8))
