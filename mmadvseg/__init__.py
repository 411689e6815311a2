# Copyright (c) mmadvseg contributors. All rights reserved.
"""mmadvseg: Adversarial Segmentation Loss for sketch colorization.

Importing the package registers every component into mmagic's registries, so
configs keep ``default_scope='mmagic'`` and load it with
``custom_imports=dict(imports=['mmadvseg'])``. Heavy dependencies (mmdet's
models) are imported only where they are used.
"""
from . import datasets, engine, evaluation, models  # noqa: F401,E402
from .version import __version__, version_info

__all__ = ['__version__', 'version_info']
