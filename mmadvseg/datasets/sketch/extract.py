# Copyright (c) mmadvseg contributors. All rights reserved.
"""Deprecated: the code of this module moved (``image_io``, ``sketch.methods``,
``convert``, ``convert_cli`` of :mod:`mmadvseg.datasets`). It is kept only
until ``mmadvseg/datasets/toy_scenes.py``, which imports it, is gone."""
from .methods import build_sketcher

__all__ = ['build_sketcher']
