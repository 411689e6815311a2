# Copyright (c) mmadvseg contributors. All rights reserved.
"""Folder layouts read by mmagic's translation datasets, shared by converters.

A converted dataset holds both layouts, one ``data_root`` each (the paths of
``configs/_base_/datasets/*_{paired,unpaired}.py``)::

    root/paired/train/NAME.png      root/paired/test/NAME.png   # A|B images
    root/unpaired/trainA/NAME.png   root/unpaired/trainB/NAME.png
    root/unpaired/testA/NAME.png    root/unpaired/testB/NAME.png

This matches mmagic 1.2.0: ``PairedImageDataset(data_root)`` scans
``data_root/train`` (``data_root/test`` with ``test_mode=True``) recursively
for image suffixes, and ``UnpairedImageDataset(data_root)`` scans
``data_root/{train,test}{A,B}``. A is the sketch (left half of a paired image,
``trainA``), B the colour photo (right half, ``trainB``), as in the AdvSegLoss
reference code.

Every file is written with :func:`~mmadvseg.utils.fileio.atomic_write`: to a
temporary ``.partial`` name (no image suffix, so no dataset scan picks it
up), then moved in place; an interrupted run therefore never leaves a
half-written image behind.
"""
import hashlib
import os
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..utils.fileio import atomic_write

#: Image suffixes scanned by mmagic's ``PairedImageDataset`` and
#: ``UnpairedImageDataset`` (their ``IMG_EXTENSIONS``).
IMG_EXTENSIONS = ('.jpg', '.JPG', '.jpeg', '.JPEG', '.png', '.PNG', '.ppm',
                  '.PPM', '.bmp', '.BMP', '.tif', '.TIF', '.tiff', '.TIFF')

LAYOUTS = ('paired', 'unpaired')
SPLITS = ('train', 'test')


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')


def _check_layouts(layouts: Iterable[str]) -> Tuple[str, ...]:
    layouts = tuple(layouts)
    bad = [name for name in layouts if name not in LAYOUTS]
    if bad or not layouts:
        raise ValueError(f'layouts must be a non-empty subset of {LAYOUTS}, '
                         f'got {layouts}')
    return layouts


def layout_root(root: str, layout: str) -> str:
    """The ``data_root`` of one layout of a dataset.

    Args:
        root (str): Dataset root (the converters' ``--out``).
        layout (str): ``'paired'`` or ``'unpaired'``.

    Returns:
        str: ``root/paired`` or ``root/unpaired``.
    """
    _check_layouts([layout])
    return osp.join(root, layout)


def paired_path(root: str, split: str, name: str) -> str:
    """Path of the A|B image ``name`` in the paired layout.

    Args:
        root (str): Dataset root.
        split (str): ``'train'`` or ``'test'``.
        name (str): File stem, without suffix.

    Returns:
        str: ``root/paired/split/name.png``.
    """
    _check_split(split)
    return osp.join(root, 'paired', split, f'{name}.png')


def unpaired_paths(root: str, split: str, name: str) -> Tuple[str, str]:
    """Paths of the sketch (A) and the photo (B) in the unpaired layout.

    Args:
        root (str): Dataset root.
        split (str): ``'train'`` or ``'test'``.
        name (str): File stem, without suffix.

    Returns:
        tuple[str, str]: ``root/unpaired/{split}A/name.png`` and
        ``root/unpaired/{split}B/name.png``.
    """
    _check_split(split)
    return (osp.join(root, 'unpaired', f'{split}A', f'{name}.png'),
            osp.join(root, 'unpaired', f'{split}B', f'{name}.png'))


def output_paths(root: str, split: str, name: str,
                 layouts: Sequence[str] = LAYOUTS) -> List[str]:
    """Every file that :func:`write_sample` writes for one sample.

    Args:
        root (str): Dataset root.
        split (str): ``'train'`` or ``'test'``.
        name (str): File stem.
        layouts (Sequence[str]): Subset of ``('paired', 'unpaired')``.

    Returns:
        list[str]: Output paths.
    """
    paths = []
    for layout in _check_layouts(layouts):
        if layout == 'paired':
            paths.append(paired_path(root, split, name))
        else:
            paths.extend(unpaired_paths(root, split, name))
    return paths


def is_complete_png(path: str) -> bool:
    """Cheap validity check of a PNG written by this module.

    The file must exist, start with the PNG signature and end with the
    ``IEND`` chunk, which catches files truncated by a crash or a copy.

    Args:
        path (str): File path.

    Returns:
        bool: Whether the file looks like a complete PNG.
    """
    try:
        size = osp.getsize(path)
        if size < 57:  # signature + IHDR + IDAT + IEND, the smallest PNG
            return False
        with open(path, 'rb') as f:
            head = f.read(8)
            f.seek(-12, os.SEEK_END)
            tail = f.read(12)
    except OSError:
        return False
    return head == b'\x89PNG\r\n\x1a\n' and tail[4:8] == b'IEND'


def atomic_imwrite(path: str, img: np.ndarray) -> None:
    """Write a PNG atomically (:func:`~mmadvseg.utils.fileio.atomic_write`).

    The data is not synced to disk: a PNG cut short by a power loss fails
    :func:`is_complete_png`, so a resumed conversion writes it again.

    Args:
        path (str): Destination, must end with ``.png``; its folder is
            created if needed.
        img (np.ndarray): ``HxW`` or ``HxWx3`` (BGR) uint8 image.
    """
    if not path.lower().endswith('.png'):
        raise ValueError(f'{path}: only PNG output is supported')
    ok, buf = cv2.imencode('.png', img)
    if not ok:
        raise OSError(f'{path}: OpenCV could not encode the image')
    with atomic_write(path, 'wb', fsync=False) as f:
        f.write(buf.tobytes())


def to_bgr(img: np.ndarray) -> np.ndarray:
    """Return a 3-channel (BGR) version of a gray or BGR uint8 image."""
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    return img


def make_ab(sketch: np.ndarray, photo: np.ndarray) -> np.ndarray:
    """Concatenate a sketch (A, left) and a photo (B, right) side by side.

    Args:
        sketch (np.ndarray): ``HxW`` or ``HxWx3`` uint8 sketch.
        photo (np.ndarray): ``HxWx3`` uint8 BGR photo of the same size.

    Returns:
        np.ndarray: ``Hx2Wx3`` uint8 A|B image (always an even width).
    """
    if sketch.shape[:2] != photo.shape[:2]:
        raise ValueError(f'A|B halves differ in size: sketch '
                         f'{sketch.shape[:2]} vs photo {photo.shape[:2]}')
    return np.concatenate([to_bgr(sketch), to_bgr(photo)], axis=1)


def write_sample(root: str,
                 split: str,
                 name: str,
                 sketch: np.ndarray,
                 photo: np.ndarray,
                 layouts: Sequence[str] = LAYOUTS) -> List[str]:
    """Write one (sketch, photo) sample in the requested layouts.

    The unpaired sketch is written as a 1-channel PNG: mmagic loads images
    with ``color_type='color'`` (``cv2.IMREAD_COLOR``), which turns it into
    three equal channels. The paired image is always 3-channel.

    Args:
        root (str): Dataset root.
        split (str): ``'train'`` or ``'test'``.
        name (str): File stem.
        sketch (np.ndarray): ``HxW`` uint8 sketch (dark lines on white).
        photo (np.ndarray): ``HxWx3`` uint8 BGR photo.
        layouts (Sequence[str]): Subset of ``('paired', 'unpaired')``.

    Returns:
        list[str]: The written paths.
    """
    written = []
    for layout in _check_layouts(layouts):
        if layout == 'paired':
            path = paired_path(root, split, name)
            atomic_imwrite(path, make_ab(sketch, photo))
            written.append(path)
        else:
            path_a, path_b = unpaired_paths(root, split, name)
            atomic_imwrite(path_a, sketch)
            atomic_imwrite(path_b, photo)
            written.extend([path_a, path_b])
    return written


def split_train_test(names: Sequence[str],
                     num_test: Optional[int] = None,
                     test_ratio: Optional[float] = None,
                     seed: int = 0) -> Dict[str, str]:
    """Deterministic random train/test split of sample names.

    Names are ranked by a hash of the seed and the name; the first
    ``num_test`` are the test split. The result depends only on the set of
    names and the seed, not on their order, and it is stable: adding or
    removing k names moves at most k others between the splits (a
    permutation of the sorted list would reshuffle many).

    Args:
        names (Sequence[str]): Unique sample names.
        num_test (int, optional): Number of test samples.
        test_ratio (float, optional): Fraction of test samples, used when
            ``num_test`` is None. Defaults to 0 (no test split) when both are
            None.
        seed (int): Seed of the permutation. Defaults to 0.

    Returns:
        dict[str, str]: ``{name: 'train' | 'test'}``.
    """
    ordered = sorted(set(names))
    if len(ordered) != len(names):
        raise ValueError('sample names must be unique')
    if num_test is None:
        num_test = int(round(len(ordered) * (test_ratio or 0.0)))
    if not 0 <= num_test <= len(ordered):
        raise ValueError(f'num_test={num_test} is not within '
                         f'[0, {len(ordered)}] (the number of samples)')
    ranked = sorted(
        ordered,
        key=lambda name: hashlib.sha1(f'{seed}:{name}'.encode()).hexdigest())
    test = set(ranked[:num_test])
    return {name: 'test' if name in test else 'train' for name in ordered}


def scan_images(folder: str) -> List[str]:
    """Sorted image paths under ``folder``, as mmagic's datasets scan them.

    Args:
        folder (str): Folder to scan recursively.

    Returns:
        list[str]: Paths with a suffix in :data:`IMG_EXTENSIONS`.
    """
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        found.extend(
            osp.join(dirpath, f) for f in filenames
            if f.endswith(IMG_EXTENSIONS))
    return sorted(found)
