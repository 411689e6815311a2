# Copyright (c) mmadvseg contributors. All rights reserved.
"""Image grids of translations: sketch | generated | real | segmentations,
or any columns of images (numpy and OpenCV images only; the segmenter is
any callable)."""
from typing import Callable, Optional, Sequence

import numpy as np


def colorize_labels(labels: np.ndarray,
                    palette: Optional[Sequence] = None) -> np.ndarray:
    """Colour a (H, W) label map; returns (H, W, 3) uint8 BGR.

    Args:
        labels (np.ndarray): Class indices.
        palette (Sequence, optional): RGB colour per class; a fixed random
            palette when None. Defaults to None.
    """
    num = int(labels.max()) + 1
    if palette is None or len(palette) < num:
        palette = np.random.default_rng(0).integers(0, 256, (max(num, 1), 3))
    rgb = np.asarray(palette, dtype=np.uint8)[labels]
    return np.ascontiguousarray(rgb[..., ::-1])


def translation_grid(sketches: Sequence[np.ndarray],
                     fakes: Sequence[np.ndarray],
                     reals: Sequence[np.ndarray],
                     segment: Optional[Callable[[np.ndarray],
                                                np.ndarray]] = None,
                     palette: Optional[Sequence] = None,
                     captions: Optional[Sequence[str]] = None) -> np.ndarray:
    """One row per image: sketch | generated | real, then the segmentation
    of the generated and of the real image when a segmenter is given; with
    ``captions``, tiles under 128 pixels are enlarged by a whole factor
    (nearest neighbour) and the columns captioned above.

    Args:
        sketches (Sequence[np.ndarray]): ``HxWx3`` uint8 BGR sketches.
        fakes (Sequence[np.ndarray]): Their translations, same layout.
        reals (Sequence[np.ndarray]): The real images, same layout.
        segment (callable, optional): ``image -> (H, W)`` class indices
            (e.g. the labels of a
            :class:`~.colorize_grid.SegmentationView`). Defaults to None.
        palette (Sequence, optional): RGB colour per class. Defaults to
            None.
        captions (Sequence[str], optional): One per column.

    Returns:
        np.ndarray: The grid, (N * H, columns * W, 3) uint8 BGR (with
        ``captions``: enlarged, under a caption strip).
    """
    columns = [sketches, fakes, reals]
    if segment is not None:
        columns += [[colorize_labels(segment(img), palette) for img in col]
                    for col in (fakes, reals)]
    return column_grid(columns, captions)


def column_grid(columns: Sequence[Sequence[np.ndarray]],
                captions: Optional[Sequence[str]] = None) -> np.ndarray:
    """Images of one size in columns, e.g. a sketch, what several models
    make of it and the real image, one row per sketch; with ``captions``,
    tiles under 128 pixels are enlarged by a whole factor (nearest
    neighbour) and the columns captioned above.

    Args:
        columns (Sequence[Sequence[np.ndarray]]): Per column, one
            ``HxWx3`` uint8 BGR image per row.
        captions (Sequence[str], optional): One per column.

    Returns:
        np.ndarray: The grid, (rows * H, columns * W, 3) uint8 BGR (with
        ``captions``: enlarged, under a caption strip).
    """
    grid = np.concatenate(
        [np.concatenate(row, 1) for row in zip(*columns)], 0)
    if captions is None:
        return grid
    from .annotate import MIN_TILE, caption_strip
    factor = -(-MIN_TILE // max(columns[0][0].shape[:2]))
    grid = np.repeat(np.repeat(grid, factor, 0), factor, 1)
    return np.concatenate(
        [caption_strip(captions, grid.shape[1] // len(captions)), grid], 0)

__all__ = ['colorize_labels', 'column_grid', 'translation_grid']
