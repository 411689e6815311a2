# Copyright (c) mmadvseg contributors. All rights reserved.
"""The colorizer's inputs: image files, folders, numpy arrays and PIL
images, made uniform (numpy and OpenCV only: no torch here).

Every input becomes an ``HxWx3`` uint8 BGR image the way the package's one
decoder (:mod:`mmadvseg.datasets.image_io`) reads training data: gray,
palette, 16-bit and float images are converted, transparency is composited
over white paper, and files are turned upright by their EXIF orientation
(as OpenCV's ``IMREAD_COLOR``, hence mmagic's loading, does).
"""
import os
import os.path as osp
from typing import Any, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from ..datasets.image_io import ImageReadError, read_image, to_bgr_uint8
from ..datasets.layouts import scan_images

#: What the colorizer takes: a file or folder path, an ``HxW[xC]`` numpy
#: array in OpenCV's channel order (BGR / BGRA) or a PIL image.
ImageSource = Union[str, os.PathLike, np.ndarray, Any]


def _pil_to_array(img: Any) -> np.ndarray:
    """A PIL image, upright, as a numpy array in OpenCV's channel order."""
    from PIL import ImageOps
    img = ImageOps.exif_transpose(img)
    if img.mode in ('P', 'PA'):
        transparent = img.mode == 'PA' or 'transparency' in img.info
        img = img.convert('RGBA' if transparent else 'RGB')
    elif img.mode in ('1', 'CMYK', 'YCbCr', 'LAB', 'HSV'):
        img = img.convert('RGB')
    elif img.mode == 'I':  # 32-bit integers (older PILs' 16-bit PNGs)
        img = img.convert('I;16')
    array = np.asarray(img)
    if array.ndim == 3 and array.shape[2] >= 3:  # RGB(A) -> BGR(A)
        array = np.concatenate(
            [array[..., 2::-1], array[..., 3:]], axis=2)
    return array


def load_image(source: ImageSource, name: str = '<array>') -> np.ndarray:
    """Any supported input as an ``HxWx3`` uint8 BGR image.

    Args:
        source (str | PathLike | np.ndarray | PIL.Image.Image): A file (read
            upright: its EXIF orientation applied), a
            numpy array in OpenCV's channel order (``HxW`` gray, ``HxWx3``
            BGR or ``HxWx4`` BGRA; uint8, uint16 or float in [0, 1]) or a
            PIL image (any mode; its EXIF orientation is applied).
        name (str): Name of an in-memory image in error messages.

    Returns:
        np.ndarray: The image.

    Raises:
        ImageReadError: The input cannot be used.
        TypeError: An input of another type.
    """
    if isinstance(source, (str, os.PathLike)):
        return read_image(os.fspath(source), upright=True)
    if isinstance(source, np.ndarray):
        return to_bgr_uint8(source, name)
    if hasattr(source, 'getexif') and hasattr(source, 'mode'):
        return to_bgr_uint8(_pil_to_array(source), name)
    raise TypeError(f'cannot colorize a {type(source).__name__}: pass an '
                    'image path, a folder, a numpy array or a PIL image')


def resize_to(img: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
    """Resize to ``(height, width)``: shrinking averages pixels (no
    aliasing of thin lines), enlarging is bicubic (the training pipelines'
    interpolation).

    Args:
        img (np.ndarray): ``HxWx3`` image.
        shape (tuple[int, int]): The new ``(height, width)``.

    Returns:
        np.ndarray: The resized image (``img`` itself when unchanged).
    """
    height, width = img.shape[:2]
    if (height, width) == tuple(shape):
        return img
    shrink = shape[0] * shape[1] < height * width
    return cv2.resize(img, (shape[1], shape[0]), interpolation=cv2.INTER_AREA
                      if shrink else cv2.INTER_CUBIC)


def resize_longer(img: np.ndarray, size: Optional[int]) -> np.ndarray:
    """Resize so that the longer side is ``size`` (aspect ratio kept; see
    :func:`resize_to`).

    Args:
        img (np.ndarray): ``HxWx3`` image.
        size (int, optional): Longer side; None keeps the image.

    Returns:
        np.ndarray: The resized image (``img`` itself when unchanged).
    """
    height, width = img.shape[:2]
    if size is None or max(height, width) == size:
        return img
    scale = size / max(height, width)
    return resize_to(img, (max(1, round(height * scale)),
                           max(1, round(width * scale))))


def list_inputs(inputs: Any, exclude: Optional[str] = None
                ) -> List[Tuple[ImageSource, Optional[str], str]]:
    """The images of the colorizer's inputs, in order.

    Args:
        inputs (ImageSource | list): An image (file, numpy array or PIL
            image), a folder (its images, recursively, sorted), or a list
            or tuple of them.
        exclude (str, optional): A folder whose files are skipped in folder
            scans (see :func:`collect_images`).

    Returns:
        list[tuple]: ``(source, path, name)``: the image, its file (None
        for an in-memory image) and the relative name its output keeps
        (``NNNNNN.png`` for an in-memory image: its index).
    """
    items: List[Tuple[ImageSource, Optional[str], str]] = []
    for source in inputs if isinstance(inputs, (list, tuple)) else [inputs]:
        if isinstance(source, (str, os.PathLike)):
            items += [(path, path, name)
                      for path, name in collect_images([source], exclude)]
        else:
            items.append((source, None, f'{len(items):06d}.png'))
    return items


def config_test_sketches(cfg: Any, limit: int = 4) -> List[np.ndarray]:
    """The first sketches of a config's test data: the ``testA`` images of
    an unpaired layout, the left halves of a paired layout's ``test`` A|B
    images; none when the data is not there (unreadable files are
    skipped).

    Args:
        cfg (Config, optional): Training config; None gives none.
        limit (int): Most sketches returned. Defaults to 4.

    Returns:
        list[np.ndarray]: ``HxWx3`` uint8 BGR sketches.
    """
    if cfg is None:
        return []
    dataset = cfg.get('test_dataloader', {}).get('dataset', {})
    root = dataset.get('data_root') or ''
    if not root:
        return []
    unpaired = osp.isdir(osp.join(root, 'testA'))
    sketches = []
    for path in scan_images(osp.join(root, 'testA' if unpaired else 'test')):
        if len(sketches) == limit:
            break
        try:
            img = load_image(path)
        except ImageReadError:
            continue
        sketches.append(img if unpaired else img[:, :img.shape[1] // 2])
    return sketches


def collect_images(inputs: Sequence[str],
                   exclude: Optional[str] = None) -> List[Tuple[str, str]]:
    """The image files of the inputs, with the names their outputs keep.

    Args:
        inputs (Sequence[str]): Image files and folders; folders are scanned
            recursively for image extensions (:data:`IMG_EXTENSIONS`).
            Missing paths are kept (reading them fails with their name).
        exclude (str, optional): A folder whose files are skipped in folder
            scans (the output folder, when it lies inside an input folder).

    Returns:
        list[tuple[str, str]]: ``(path, relative name)``: a folder's files
        keep their path below the folder, a file keeps its base name.
    """
    skip = osp.realpath(exclude) + os.sep if exclude else None
    items = []
    for entry in map(os.fspath, inputs):
        if not osp.isdir(entry):
            items.append((entry, osp.basename(entry)))
            continue
        for path in scan_images(entry):
            if skip and osp.realpath(path).startswith(skip):
                continue
            items.append((path, osp.relpath(path, entry)))
    return items


__all__ = [
    'ImageSource', 'ImageReadError', 'load_image', 'resize_longer',
    'resize_to',
    'collect_images', 'list_inputs', 'config_test_sketches'
]
