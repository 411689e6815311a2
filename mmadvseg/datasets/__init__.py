# Copyright (c) mmadvseg contributors. All rights reserved.
"""Data tooling: dataset layouts, image reading, sketch extraction and
conversion.

Nothing here is registered: mmagic's ``PairedImageDataset`` and
``UnpairedImageDataset`` read the layouts written by
:mod:`mmadvseg.datasets.layouts`. Importing this package needs numpy and
OpenCV only (torch is imported when HED is used).
"""
from .convert import (
    ConversionReport,
    ConvertSpec,
    ConvertTask,
    convert_images,
    make_tasks,
)
from .image_io import ImageReadError, decode_image, read_image, resize_photo
from .layouts import (
    IMG_EXTENSIONS,
    layout_root,
    make_ab,
    paired_path,
    scan_images,
    split_train_test,
    unpaired_paths,
    write_sample,
)

__all__ = [
    'IMG_EXTENSIONS', 'layout_root', 'make_ab', 'paired_path',
    'unpaired_paths', 'write_sample', 'split_train_test', 'scan_images',
    'ImageReadError', 'decode_image', 'read_image', 'resize_photo',
    'ConvertTask', 'ConvertSpec', 'ConversionReport', 'convert_images',
    'make_tasks'
]
