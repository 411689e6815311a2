# Copyright (c) mmadvseg contributors. All rights reserved.
"""Tiny image datasets in mmagic's paired and unpaired layouts (A = sketch,
B = photo), and batches of them, for tests."""
import os.path as osp
from pathlib import Path

import cv2
import numpy as np


def _scene(rng: np.random.Generator, size: int) -> np.ndarray:
    """A BGR photo of a few coloured blocks."""
    img = np.full((size, size, 3), rng.integers(0, 256, 3), np.uint8)
    for _ in range(3):
        x0, y0 = rng.integers(0, size // 2, 2)
        w, h = rng.integers(size // 4, size // 2, 2)
        img[y0:y0 + h, x0:x0 + w] = rng.integers(0, 256, 3)
    return img


def _sketch(photo: np.ndarray) -> np.ndarray:
    edges = cv2.Canny(photo, 50, 150)
    return cv2.cvtColor(255 - edges, cv2.COLOR_GRAY2BGR)


def make_paired(root: Path, num_train: int = 2, num_test: int = 2,
                size: int = 32, seed: int = 0) -> str:
    """Write ``root/{train,test}/*.png`` A|B images; returns ``root``."""
    rng = np.random.default_rng(seed)
    for split, num in (('train', num_train), ('test', num_test)):
        Path(root, split).mkdir(parents=True, exist_ok=True)
        for i in range(num):
            photo = _scene(rng, size)
            cv2.imwrite(
                osp.join(root, split, f'{i:03d}.png'),
                np.concatenate([_sketch(photo), photo], 1))
    return str(root)


def make_unpaired(root: Path, num_train: int = 2, num_test: int = 2,
                  size: int = 32, seed: int = 0) -> str:
    """Write ``root/{train,test}{A,B}/*.png``; returns ``root``."""
    rng = np.random.default_rng(seed)
    for split, num in (('train', num_train), ('test', num_test)):
        for domain in 'AB':
            Path(root, split + domain).mkdir(parents=True, exist_ok=True)
        for i in range(num):
            cv2.imwrite(
                osp.join(root, split + 'A', f'{i:03d}.png'),
                _sketch(_scene(rng, size)))
            cv2.imwrite(
                osp.join(root, split + 'B', f'{i:03d}.png'), _scene(rng, size))
    return str(root)


def load_pipeline(paired: bool) -> list:
    """Load a pair (no resizing: test images are tiny) and pack it into the
    configs' ``img_sketch`` / ``img_photo`` keys."""
    if paired:
        load = [
            dict(
                type='LoadPairedImageFromFile',
                key='pair',
                domain_a='A',
                domain_b='B',
                color_type='color')
        ]
    else:
        load = [
            dict(type='LoadImageFromFile', key='img_A', color_type='color'),
            dict(type='LoadImageFromFile', key='img_B', color_type='color')
        ]
    return load + [
        dict(
            type='KeyMapper',
            mapping=dict(img_sketch='img_A', img_photo='img_B'),
            remapping=dict(img_sketch='img_sketch', img_photo='img_photo')),
        dict(
            type='PackInputs',
            keys=['img_sketch', 'img_photo'],
            data_keys=['img_sketch', 'img_photo'])
    ]


def dataset_cfg(root: str, paired: bool, test_mode: bool = False) -> dict:
    return dict(
        type='PairedImageDataset' if paired else 'UnpairedImageDataset',
        data_root=root,
        test_mode=test_mode,
        pipeline=load_pipeline(paired))


def make_batch(root: str, paired: bool, test_mode: bool = False,
               batch_size: int = 2) -> dict:
    """A collated batch of the tiny dataset at ``root``."""
    from mmagic.registry import DATASETS
    from mmengine.dataset import pseudo_collate
    dataset = DATASETS.build(dataset_cfg(root, paired, test_mode))
    return pseudo_collate([dataset[i] for i in range(batch_size)])


def png_header(width: int, height: int) -> bytes:
    """A PNG that says it is ``width x height`` (with no pixel data): an
    image too large to decode, or a damaged header, for tests.

    Args:
        width (int): Claimed width.
        height (int): Claimed height.

    Returns:
        bytes: The file's content.
    """
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data)))

    ihdr = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) +
            chunk(b'IDAT', zlib.compress(b'')) + chunk(b'IEND', b''))
