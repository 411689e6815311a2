# Copyright (c) mmadvseg contributors. All rights reserved.
"""mmagic's image loading steps, naming the file they cannot load.

mmagic's ``LoadImageFromFile`` and ``LoadPairedImageFromFile`` stop a
training run mid-epoch with an error that names no file (``'NoneType'
object has no attribute 'ndim'`` for a truncated PNG, a ``cv2.error`` for
an empty file, "width of image pair must be even") or, for a damaged JPEG,
load it with grey or garbled parts without a word. The registered
``CheckedLoadImageFromFile`` and ``CheckedLoadPairedImageFromFile`` load
exactly as they do (same decoder, same arrays) but raise
:class:`~mmadvseg.datasets.image_io.ImageReadError` naming the file and the
fix, or, with ``skip_unreadable=True`` (training only), skip the sample:
mmengine's dataset then draws another one, and the log names each skipped
image once, with their count. When :data:`MAX_UNREADABLE_STREAK` draws in a
row are unreadable (every image of the folder, say), the step raises
:class:`UnreadableDatasetError` naming the folder and the fix, instead of
mmengine's "Cannot find valid image after 1000!". The configs import this
module (``custom_imports``); importing ``mmadvseg.datasets`` does not.
"""
import functools
import logging
import os.path as osp

from mmagic.datasets.transforms import (
    LoadImageFromFile,
    LoadPairedImageFromFile,
)
from mmagic.registry import TRANSFORMS
from mmengine.logging import print_log

from .image_io import ImageReadError, guarded_decode

FIX = ('; find every such file with python tools/misc/check_dataset.py '
       'CONFIG (or train with --skip-unreadable)')
#: Unreadable draws in a row (no readable one between) after which skipping
#: stops the run. With a share ``f`` of unreadable images such a streak
#: starts at a draw with odds ``f ** 50`` (1e-15 for half of them).
MAX_UNREADABLE_STREAK = 50


class UnreadableDatasetError(ImageReadError):
    """Skipping found nothing readable: the message names the folder and
    the fix."""


class _Checked:
    """What both loading steps add: checked decoding, named errors, and
    skipping (see the module docstring)."""

    def __init__(self, *args, skip_unreadable: bool = False,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.skip_unreadable = skip_unreadable
        self.skipped = set()
        self.streak = []  # the unreadable paths drawn since a readable one

    def _load_image(self, filename: str):
        try:
            return guarded_decode(
                functools.partial(super()._load_image, filename), filename)
        except FileNotFoundError:
            raise ImageReadError(f'{filename}: file not found (deleted '
                                 'since the dataset was listed?)') from None

    def transform(self, results: dict):
        path = results[f'{self.key}_path']
        try:
            results = super().transform(results)
            self.streak.clear()
            return results
        except ImageReadError as err:
            message = str(err)
        except ValueError as err:
            if 'width of image pair' not in str(err):
                raise
            message = (f'{path}: A|B image of odd width (its halves differ);'
                       ' make it again with tools/dataset_converters/ or '
                       'delete it')
        if not self.skip_unreadable:
            raise ImageReadError(message + FIX)
        if str(path) not in self.skipped:
            self.skipped.add(str(path))
            print_log(
                f'Skipped an unreadable image ({len(self.skipped)} so far in '
                f'this process): {message}',
                logger='current',
                level=logging.WARNING)
        self.streak.append(str(path))
        if len(self.streak) >= MAX_UNREADABLE_STREAK:
            raise UnreadableDatasetError(self._streak_message())
        return None  # mmengine's dataset draws another sample

    def _streak_message(self) -> str:
        paths = sorted(set(self.streak))
        folder = osp.commonpath([osp.dirname(p) for p in paths])
        return (f'{folder}: the last {len(self.streak)} training images '
                f'drawn from it were all unreadable ({len(paths)} different '
                f'files, e.g. {paths[0]}), so --skip-unreadable has nothing '
                'to train on; list them with python tools/misc/'
                'check_dataset.py CONFIG, then re-convert or delete them, or '
                'point data_root at readable images')

    def __repr__(self) -> str:
        return (f'{super().__repr__()[:-1]}, '
                f'skip_unreadable={self.skip_unreadable})')


@TRANSFORMS.register_module()
class CheckedLoadImageFromFile(_Checked, LoadImageFromFile):
    """mmagic's ``LoadImageFromFile``, naming the files it cannot load.

    Args:
        skip_unreadable (bool): Skip such a sample instead of raising
            (training pipelines only). Defaults to False.
        Others: those of ``LoadImageFromFile``.
    """


@TRANSFORMS.register_module()
class CheckedLoadPairedImageFromFile(_Checked, LoadPairedImageFromFile):
    """mmagic's ``LoadPairedImageFromFile``, naming the files it cannot
    load (an A|B image of odd width too).

    Args:
        skip_unreadable (bool): Skip such a sample instead of raising
            (training pipelines only). Defaults to False.
        Others: those of ``LoadPairedImageFromFile``.
    """


__all__ = [
    'CheckedLoadImageFromFile', 'CheckedLoadPairedImageFromFile',
    'UnreadableDatasetError', 'MAX_UNREADABLE_STREAK'
]
