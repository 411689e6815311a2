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
image once, with their count. The configs import this module
(``custom_imports``); importing ``mmadvseg.datasets`` does not.
"""
import functools
import logging

from mmagic.datasets.transforms import (
    LoadImageFromFile,
    LoadPairedImageFromFile,
)
from mmagic.registry import TRANSFORMS
from mmengine.logging import print_log

from .image_io import ImageReadError, guarded_decode

FIX = ('; find every such file with python tools/misc/check_dataset.py '
       'CONFIG (or train with --skip-unreadable)')


class _Checked:
    """What both loading steps add: checked decoding, named errors, and
    skipping (see the module docstring)."""

    def __init__(self, *args, skip_unreadable: bool = False,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.skip_unreadable = skip_unreadable
        self.skipped = set()

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
            return super().transform(results)
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
        return None  # mmengine's dataset draws another sample

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


__all__ = ['CheckedLoadImageFromFile', 'CheckedLoadPairedImageFromFile']
