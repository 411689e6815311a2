# Copyright (c) mmadvseg contributors. All rights reserved.
from .base import TranslationMetric
from .fid_kid import AdvSegFIDKID
from .seg_consistency import SegConsistency

__all__ = ['TranslationMetric', 'AdvSegFIDKID', 'SegConsistency']
