# Copyright (c) mmadvseg contributors. All rights reserved.
from .save_translations_hook import SaveTranslationsHook

__all__ = ['SaveTranslationsHook']
