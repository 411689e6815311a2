# Copyright (c) mmadvseg contributors. All rights reserved.
"""Fixtures of the data tooling tests: HED weights and awkward images."""
import os.path as osp
from pathlib import Path
from typing import Dict

import cv2
import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope='session')
def hed_weights(tmp_path_factory) -> str:
    """A randomly initialised HED state dict saved to a temporary file."""
    import torch

    from mmadvseg.datasets.sketch.hed import HED
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('hed') / 'hed_random.pth'
    torch.save(HED().state_dict(), path)
    return str(path)


def blocks_photo(seed: int, height: int = 40, width: int = 40) -> np.ndarray:
    """A BGR photo of coloured rectangles (deterministic per seed)."""
    rng = np.random.default_rng(seed)
    img = np.empty((height, width, 3), np.uint8)
    img[:] = rng.integers(0, 256, 3)
    for _ in range(3):
        y0, x0 = rng.integers(0, height // 2), rng.integers(0, width // 2)
        img[y0:y0 + height // 3, x0:x0 + width // 3] = rng.integers(0, 256, 3)
    return img


def write_awkward_images(folder: Path) -> Dict[str, str]:
    """Good and bad inputs; returns ``{kind: path}``.

    Kinds: ``color`` (JPEG), ``gray`` (1-channel PNG), ``rgba`` (PNG with
    transparency), ``palette`` (palette PNG, one entry transparent),
    ``odd`` (33x17), ``gray16`` (16-bit PNG), ``corrupt`` (random bytes),
    ``truncated`` (half a JPEG), ``damaged`` (half a JPEG with the end
    marker: the decoder fills the rest grey and only prints a warning),
    ``empty`` (0 bytes).
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}

    def save(kind: str, name: str, img: np.ndarray) -> None:
        paths[kind] = osp.join(folder, name)
        assert cv2.imwrite(paths[kind], img)

    save('color', 'color.jpg', blocks_photo(1, 48, 64))
    save('gray', 'gray.png', blocks_photo(2)[..., 0])
    rgba = np.dstack([blocks_photo(3), np.full((40, 40), 255, np.uint8)])
    rgba[:, :20, 3] = 0  # left half transparent
    save('rgba', 'rgba.png', rgba)
    save('odd', 'odd.png', blocks_photo(4, 17, 33))
    save('gray16', 'gray16.png',
         blocks_photo(5)[..., 0].astype(np.uint16) * 257)
    palette = Image.fromarray(
        np.repeat(np.arange(4, dtype=np.uint8), 10)[None].repeat(40, 0), 'P')
    palette.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9] * 64)
    paths['palette'] = osp.join(folder, 'palette.png')
    palette.save(paths['palette'], transparency=0)  # left quarter clear
    ok, jpeg = cv2.imencode('.jpg', blocks_photo(6))
    noise = np.random.default_rng(7).integers(0, 256, (64, 64, 3), np.uint8)
    ok, noisy = cv2.imencode('.jpg', noise)  # half of it is image data
    for kind, data in (('corrupt', b'not an image at all' * 20),
                       ('truncated', jpeg.tobytes()[:len(jpeg) // 2]),
                       ('damaged',
                        noisy.tobytes()[:len(noisy) // 2] + b'\xff\xd9'),
                       ('empty', b'')):
        paths[kind] = osp.join(folder, f'{kind}.jpg')
        Path(paths[kind]).write_bytes(data)
    return paths


@pytest.fixture
def awkward_images(tmp_path) -> Dict[str, str]:
    """See :func:`write_awkward_images`."""
    return write_awkward_images(tmp_path / 'awkward')


@pytest.fixture
def photo_factory():
    """:func:`blocks_photo`, for tests that need several photos."""
    return blocks_photo
