# Copyright (c) mmadvseg contributors. All rights reserved.
"""Evaluation: pytorch-fid compatible FID, KID and segmentation consistency.

Importing this package registers ``AdvSegFIDKID``, ``SegConsistency`` and
``ToySemanticAccuracy`` in mmagic's ``METRICS``. It imports no mmdet code.
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
    InceptionWeightsNotFoundError,
    resolve_inception_weights,
)
from .metrics import (
    AdvSegFIDKID,
    SegConsistency,
    SegmenterMetric,
    ToySemanticAccuracy,
    TranslationMetric,
)

__all__ = [
    'AdvSegFIDKID', 'SegConsistency', 'ToySemanticAccuracy',
    'TranslationMetric', 'SegmenterMetric', 'FIDInceptionV3',
    'FID_WEIGHTS_NAME', 'FID_WEIGHTS_URL', 'InceptionWeightsNotFoundError',
    'resolve_inception_weights', 'confusion_matrix', 'feature_statistics',
    'frechet_distance', 'frechet_distance_from_features',
    'kernel_inception_distance', 'polynomial_mmd2_unbiased',
    'segmentation_scores', 'thing_stuff_scores', 'to_unit_rgb'
]
