# Copyright (c) mmadvseg contributors. All rights reserved.
"""The test-time dropout masks of a seed: one generator for every backend.

Pix2Pix keeps dropout on at test time, so its colours depend on the dropout
masks. Both backends (PyTorch on any device, onnxruntime) take their masks
from :func:`draw_masks` (numpy's PCG64, no torch here), so one model, sketch
and seed give one picture everywhere. The masks are the ONNX file's
optional ``keep_mask_i`` inputs: a program in another language can feed
them (or feed none, see :func:`expected_masks`).
"""
from typing import List

import numpy as np

from .spec import GeneratorSpec


def mask_names(count: int) -> List[str]:
    """The ONNX input names of ``count`` dropout masks, in the order the
    network runs its dropout layers."""
    return [f'keep_mask_{i}' for i in range(count)]


def draw_masks(spec: GeneratorSpec, height: int, width: int,
               seed: int) -> List[np.ndarray]:
    """The keep-masks of ``seed`` for a padded ``height x width`` batch.

    One ``numpy.random.Generator(PCG64(seed))`` (``default_rng(seed)``)
    draws the layers' masks in order, each as
    ``rng.random((1, C, h, w), dtype=float32) < 1 - p``; one mask serves the
    whole batch.

    Args:
        spec (GeneratorSpec): The generator.
        height (int): Padded input height.
        width (int): Padded input width.
        seed (int): Random seed.

    Returns:
        list[np.ndarray]: Per dropout layer, a ``(1, C, h, w)`` float32
        mask, 1 = keep, 0 = drop.
    """
    rng = np.random.default_rng(seed)
    keep = np.float32(1.0 - spec.dropout_p)
    return [(rng.random(shape, dtype=np.float32) < keep).astype(np.float32)
            for shape in spec.mask_shapes(height, width)]


def expected_masks(spec: GeneratorSpec) -> List[np.ndarray]:
    """The ONNX file's default masks: ``(1, C, 1, 1)`` filled with the keep
    probability ``1 - p``, which every feature map broadcasts against, so
    each activation is its expected value over the masks (dropout off, as
    in PyTorch's ``eval()``).

    Args:
        spec (GeneratorSpec): The generator.

    Returns:
        list[np.ndarray]: Per dropout layer, a ``(1, C, 1, 1)`` float32
        array.
    """
    return [np.full((1, layer.channels, 1, 1), 1.0 - spec.dropout_p,
                    np.float32) for layer in spec.dropout_layers]


__all__ = ['mask_names', 'draw_masks', 'expected_masks']
