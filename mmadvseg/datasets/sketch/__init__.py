# Copyright (c) mmadvseg contributors. All rights reserved.
"""Sketch extraction: XDoG, Canny and HED, and the parallel runner.

The HED network needs torch; it is imported on first use of its names.
"""
from typing import Any

from .canny import canny
from .extract import (
    ConversionReport,
    ConvertSpec,
    ConvertTask,
    ImageReadError,
    Sketcher,
    build_sketcher,
    convert_images,
    decode_image,
    make_tasks,
    read_image,
    resize_photo,
    run_parallel,
)
from .xdog import XDOG_PRESETS, xdog, xdog_params

_HED_NAMES = ('HED', 'load_hed', 'hed_sketch', 'postprocess_edges',
              'edge_nms', 'thin', 'convert_hed_state_dict')


def __getattr__(name: str) -> Any:
    if name in _HED_NAMES:
        from . import hed
        return getattr(hed, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = [
    'XDOG_PRESETS', 'xdog', 'xdog_params', 'canny', 'Sketcher',
    'build_sketcher', 'ConvertTask', 'ConvertSpec', 'ConversionReport',
    'ImageReadError', 'convert_images', 'make_tasks', 'read_image',
    'decode_image', 'resize_photo', 'run_parallel', *_HED_NAMES
]
