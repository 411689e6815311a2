# Copyright (c) mmadvseg contributors. All rights reserved.
"""Inference APIs: colorize plain sketches (or photos) with a trained
generator (:class:`Colorizer`), on PyTorch or, from an exported ONNX file,
on onnxruntime without torch. Importing this package imports neither torch
nor OpenMMLab; the PyTorch backend, the grid's segmenter and the ONNX
export (:mod:`.export`) import them when used.
"""
from .colorizer import Colorizer, resolve_seed
from .inputs import (
    collect_images,
    config_test_sketches,
    load_image,
    resize_longer,
    resize_to,
)
from .model_files import resolve_model, split_model_args, working_size
from .photo_sketch import (
    DEFAULT_PHOTO_SKETCH,
    describe_sketcher,
    photo_sketcher,
    recorded_sketcher,
)
from .spec import GeneratorSpec, ModelFileError

__all__ = [
    'Colorizer', 'GeneratorSpec', 'ModelFileError', 'resolve_model',
    'split_model_args', 'resolve_seed', 'collect_images', 'load_image',
    'resize_longer', 'resize_to', 'config_test_sketches', 'photo_sketcher',
    'recorded_sketcher', 'describe_sketcher', 'DEFAULT_PHOTO_SKETCH',
    'working_size'
]
