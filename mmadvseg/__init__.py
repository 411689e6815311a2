# Copyright (c) mmadvseg contributors. All rights reserved.
"""mmadvseg: Adversarial Segmentation Loss for sketch colorization.

Importing the package itself is light (no torch, no OpenMMLab package).
The components are registered in mmagic's registries when their subpackages
are imported: :mod:`mmadvseg.models`, :mod:`mmadvseg.evaluation` and
:mod:`mmadvseg.engine`. Configs keep ``default_scope='mmagic'`` and import
them through ``custom_imports`` (see ``configs/_base_/default_runtime.py``).
"""
from .version import __version__, version_info

__all__ = ['__version__', 'version_info']
