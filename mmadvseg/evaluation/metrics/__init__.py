# Copyright (c) mmadvseg contributors. All rights reserved.
from .base import SegmenterMetric, TranslationMetric
from .feature_frechet import FeatureFrechetDistance
from .fid_kid import AdvSegFIDKID
from .seg_consistency import SegConsistency
from .toy_semantic_accuracy import ToySemanticAccuracy

__all__ = [
    'TranslationMetric', 'SegmenterMetric', 'AdvSegFIDKID', 'SegConsistency',
    'ToySemanticAccuracy', 'FeatureFrechetDistance'
]
