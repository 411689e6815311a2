# Copyright (c) mmadvseg contributors. All rights reserved.
"""Helpers that shrink real configs and write tiny datasets, so tests and
the offline demo run on a CPU in seconds (mirrors ``mmdet.testing``)."""
from ..evaluation.random_inception import save_random_inception_weights
from .oracle import OracleSegmenter, image_key
from .tiny_data import (
                        dataset_cfg,
                        load_pipeline,
                        make_batch,
                        make_paired,
                        make_unpaired,
                        png_header,
)
from .tiny_models import (
                        tiny_mask2former_cfg,
                        tiny_segmenter_cfg,
                        tiny_translation_cfg,
)

__all__ = [
    'dataset_cfg', 'load_pipeline', 'make_batch', 'make_paired',
    'make_unpaired', 'tiny_mask2former_cfg', 'tiny_segmenter_cfg',
    'tiny_translation_cfg', 'OracleSegmenter', 'image_key',
    'save_random_inception_weights', 'png_header'
]
