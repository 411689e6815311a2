# Copyright (c) mmadvseg contributors. All rights reserved.
"""Data tooling: dataset layouts, sketch extraction and toy scenes.

Nothing here is registered: mmagic's ``PairedImageDataset`` and
``UnpairedImageDataset`` read the layouts written by
:mod:`mmadvseg.datasets.layouts`, and mmdet's ``CocoPanopticDataset`` reads
the toy scenes' panoptic ground truth. Importing this package needs numpy
and OpenCV only (torch is imported when HED is used).
"""
from .layouts import (
                      IMG_EXTENSIONS,
    layout_root,
                      make_ab,
                      paired_path,
                      scan_images,
                      split_train_test,
                      unpaired_paths,
                      write_sample,
)
from .toy_scenes import (
                      TOY_CLASSES,
                      TOY_METAINFO,
                      ToyScenes,
                      generate_toy_scenes,
                      render_scene,
)

__all__ = [
    'IMG_EXTENSIONS', 'layout_root', 'make_ab', 'paired_path',
    'unpaired_paths', 'write_sample', 'split_train_test', 'scan_images',
    'TOY_CLASSES', 'TOY_METAINFO', 'ToyScenes', 'generate_toy_scenes',
    'render_scene'
]
