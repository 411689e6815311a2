# Copyright (c) mmadvseg contributors. All rights reserved.
"""Fixtures of the evaluation tests: random-init FID Inception weights (never
downloaded) and small folders of structured images."""
import os
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import torch
from PIL import Image

from mmadvseg.evaluation.inception import FID_WEIGHTS_NAME, FIDInceptionV3
from mmadvseg.testing import save_random_inception_weights


@pytest.fixture(autouse=True)
def _no_download(monkeypatch):
    """Any attempt to fetch a file fails the test."""

    def _refuse(url, *args, **kwargs):
        raise AssertionError(f'a test tried to download {url}')

    monkeypatch.setattr(torch.hub, 'download_url_to_file', _refuse)


@pytest.fixture(scope='session')
def inception_weights(tmp_path_factory) -> str:
    """A random-init weight file in the layout of pytorch-fid's."""
    path = tmp_path_factory.mktemp('fid_weights') / FID_WEIGHTS_NAME
    return save_random_inception_weights(str(path), seed=0)


@pytest.fixture
def hub_with_weights(inception_weights, tmp_path, monkeypatch) -> Path:
    """A ``$TORCH_HOME`` whose hub cache holds the weight file (as pytorch-fid
    and our default lookup expect it)."""
    home = tmp_path / 'torch_home_fid'
    ckpt_dir = home / 'hub' / 'checkpoints'
    ckpt_dir.mkdir(parents=True)
    os.symlink(inception_weights, ckpt_dir / FID_WEIGHTS_NAME)
    monkeypatch.setenv('TORCH_HOME', str(home))
    return home


@pytest.fixture(scope='session')
def fid_inception(inception_weights) -> FIDInceptionV3:
    return FIDInceptionV3(inception_weights)


def _structured_image(rng: np.random.Generator, size: int,
                      kind: str) -> np.ndarray:
    """An RGB uint8 image: coloured sinusoidal waves (+ a block for 'b')."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    img = np.empty((size, size, 3))
    for c in range(3):
        freq = rng.uniform(0.5, 3, 2)
        img[..., c] = rng.uniform(40, 255) * (0.5 + 0.5 * np.sin(
            2 * np.pi * (freq[0] * xx + freq[1] * yy) + rng.uniform(0, 6)))
    if kind == 'b':
        x0, y0 = rng.integers(0, size // 2, 2)
        img[y0:y0 + size // 3, x0:x0 + size // 3] = rng.uniform(0, 255, 3)
    img += rng.normal(0, 8, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def make_structured_images(num: int,
                           size: int = 32,
                           kind: str = 'a',
                           seed: int = 0) -> np.ndarray:
    """(num, size, size, 3) RGB uint8 images of one of two distributions."""
    rng = np.random.default_rng(seed)
    return np.stack([_structured_image(rng, size, kind) for _ in range(num)])


@pytest.fixture(scope='session')
def image_factory() -> Callable[..., np.ndarray]:
    return make_structured_images


@pytest.fixture(scope='session')
def write_folder() -> Callable[[Path, np.ndarray], Path]:
    """Save RGB uint8 images as PNG files ``000.png``, ``001.png``..."""

    def _write(folder: Path, images: np.ndarray) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for i, img in enumerate(images):
            Image.fromarray(img).save(folder / f'{i:03d}.png')
        return folder

    return _write
