# Copyright (c) mmadvseg contributors. All rights reserved.
'''Helpers that shrink real configs so tests and the offline demo run on a
CPU in seconds (mirrors ``mmdet.testing``).'''
from .tiny_models import (
                          tiny_mask2former_cfg,
                          tiny_segmenter_cfg,
                          tiny_translation_cfg,
)

__all__ = [
    'tiny_mask2former_cfg', 'tiny_segmenter_cfg', 'tiny_translation_cfg'
]
