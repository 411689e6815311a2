# Copyright (c) mmadvseg contributors. All rights reserved.
"""Inference APIs: colorize plain sketches with a trained generator
(:class:`Colorizer`), on PyTorch or, from an exported ONNX file, on
onnxruntime without torch. Importing this package imports neither torch nor
OpenMMLab; the PyTorch backend and the ONNX export import them when used.
"""
from .colorizer import Colorizer, resolve_model, resolve_seed
from .inputs import collect_images, load_image, resize_longer
from .spec import GeneratorSpec, ModelFileError

__all__ = [
    'Colorizer', 'GeneratorSpec', 'ModelFileError', 'resolve_model',
    'resolve_seed', 'collect_images', 'load_image', 'resize_longer'
]
