# Copyright (c) mmadvseg contributors. All rights reserved.
from .panoptic_segmenter import FrozenPanopticSegmenter, SegMaps

__all__ = ['FrozenPanopticSegmenter', 'SegMaps']
