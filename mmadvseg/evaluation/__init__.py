# Copyright (c) mmadvseg contributors. All rights reserved.
"""Evaluation: pytorch-fid compatible FID, KID and segmentation consistency.

Importing this package registers ``AdvSegFIDKID``, ``SegConsistency``,
``ToySemanticAccuracy`` and ``FeatureFrechetDistance`` in mmagic's
``METRICS`` and the ``PanopticJudge`` segmenter in its ``MODELS``. It
imports no mmdet code (a judge imports mmdet when it is built).
"""
from .functional import (
    confusion_matrix,
    feature_statistics,
    frechet_distance,
    frechet_distance_from_features,
    kernel_inception_distance,
    polynomial_mmd2_unbiased,
    segmentation_scores,
    thing_stuff_scores,
    to_unit_rgb,
)
from .inception import (
    FID_WEIGHTS_NAME,
    FID_WEIGHTS_URL,
    FIDInceptionV3,
    resolve_inception_weights,
)
from .metrics import (
    AdvSegFIDKID,
    FeatureFrechetDistance,
    SegConsistency,
    SegmenterMetric,
    ToySemanticAccuracy,
    TranslationMetric,
)
from .panoptic_judge import PanopticJudge
from .random_inception import save_random_inception_weights

__all__ = [
    'AdvSegFIDKID', 'SegConsistency', 'ToySemanticAccuracy',
    'FeatureFrechetDistance', 'PanopticJudge',
    'TranslationMetric', 'SegmenterMetric', 'FIDInceptionV3',
    'FID_WEIGHTS_NAME', 'FID_WEIGHTS_URL',
    'resolve_inception_weights', 'confusion_matrix', 'feature_statistics',
    'frechet_distance', 'frechet_distance_from_features',
    'kernel_inception_distance', 'polynomial_mmd2_unbiased',
    'segmentation_scores', 'thing_stuff_scores', 'to_unit_rgb',
    'save_random_inception_weights'
]
