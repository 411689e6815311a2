# Copyright (c) mmadvseg contributors. All rights reserved.
from .translation_grid import colorize_labels, translation_grid

__all__ = ['colorize_labels', 'translation_grid']
