# Copyright (c) mmadvseg contributors. All rights reserved.
"""Image grids of translations: sketch | generated | real | segmentations."""
from typing import Optional, Sequence

import numpy as np
import torch
from torch import Tensor


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


def _to_bgr_uint8(image: Tensor) -> np.ndarray:
    """(3, H, W) BGR tensor in [-1, 1] -> (H, W, 3) uint8."""
    image = ((image.detach().float().cpu() + 1) * 127.5).clamp(0, 255)
    return image.round().byte().permute(1, 2, 0).numpy()


@torch.no_grad()
def translation_grid(sketch: Tensor,
                     fake: Tensor,
                     real: Tensor,
                     segmenter: Optional[torch.nn.Module] = None,
                     palette: Optional[Sequence] = None) -> np.ndarray:
    """One row per image: sketch | generated | real, then the segmentation
    of the generated and of the real image when a segmenter is given.

    Args:
        sketch (Tensor): Sketches, (N, 3, H, W), BGR in [-1, 1].
        fake (Tensor): Generated images, same layout.
        real (Tensor): Real images, same layout.
        segmenter (nn.Module, optional): A ``FrozenPanopticSegmenter``.
            Defaults to None.
        palette (Sequence, optional): RGB colour per class. Defaults to
            None.

    Returns:
        np.ndarray: The grid, (N * H, columns * W, 3) uint8 BGR.
    """
    columns = [sketch, fake, real]
    rows = [[_to_bgr_uint8(img[i]) for img in columns]
            for i in range(len(sketch))]
    if segmenter is not None:
        for images in (fake, real):
            labels = segmenter(images).probs.argmax(1).cpu().numpy()
            for row, label in zip(rows, labels):
                row.append(colorize_labels(label, palette))
    return np.concatenate([np.concatenate(row, 1) for row in rows], 0)
