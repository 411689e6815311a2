# Copyright (c) mmadvseg contributors. All rights reserved.
"""Sketch extraction: XDoG, Canny and HED, and the table of methods that
builds a picklable :class:`Sketcher` and the command-line options.

The HED network needs torch; it is imported on first use of its names.
"""
from typing import Any

from .canny import canny
from .methods import (
    SKETCH_METHODS,
    SKETCH_OPTIONS,
    Sketcher,
    SketchMethod,
    SketchOption,
    add_sketch_args,
    build_sketcher,
    sketcher_from_args,
    sketcher_from_options,
)
from .xdog import XDOG_PARAMS, XDOG_PRESETS, xdog, xdog_params

_HED_NAMES = ('HED', 'load_hed', 'hed_sketch', 'postprocess_edges',
              'edge_nms', 'thin', 'convert_hed_state_dict')


def __getattr__(name: str) -> Any:
    if name in _HED_NAMES:
        from . import hed
        return getattr(hed, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = [
    'XDOG_PARAMS', 'XDOG_PRESETS', 'xdog', 'xdog_params', 'canny',
    'SKETCH_METHODS', 'SketchMethod', 'SketchOption', 'Sketcher',
    'SKETCH_OPTIONS', 'build_sketcher', 'add_sketch_args',
    'sketcher_from_args', 'sketcher_from_options', *_HED_NAMES
]
