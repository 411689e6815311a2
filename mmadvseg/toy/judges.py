# Copyright (c) mmadvseg contributors. All rights reserved.
"""A judge with no learned parts for distinct-colour toy scenes."""
from typing import Optional

import cv2
import numpy as np
import torch
from mmagic.registry import MODELS
from torch import Tensor

from ..evaluation.label_judge import LabelJudge
from .classes import DISTINCT_HSV, NUM_THINGS, TOY_CLASSES


@MODELS.register_module()
class ColourRangeJudge(LabelJudge):
    """Label each pixel of a distinct-colour toy scene with the class whose
    colour range its colour falls in (or is nearest to).

    A scene's regions take a base colour from their class's HSV range
    (:data:`~.classes.DISTINCT_HSV`) and are then shaded, textured and
    outlined by multiplying the colour, which keeps its hue and saturation.
    The judge therefore compares hue and saturation only: the distance of a
    pixel to a class is how far its hue (on the hue circle, weighted down
    for unsaturated pixels, whose hue is noise) and its saturation lie
    outside the class's ranges. Nothing is learned, so nothing a generator
    learns from a segmenter can carry over to it. It only makes sense for
    ``'distinct'`` scenes (in ``'shared'`` ones all classes share one
    range). Interface of ``FrozenPanopticSegmenter`` (BGR [-1, 1] in,
    :class:`SegMaps` out).

    Args:
        hue_weight (float): Weight of a hue distance (OpenCV units, 0-180)
            against a saturation distance (0-255). Defaults to 2.0.
        init_cfg (dict, optional): mmengine's ``init_cfg`` (nothing to
            initialise).
    """

    num_classes = len(TOY_CLASSES)
    num_things = NUM_THINGS

    def __init__(self,
                 hue_weight: float = 2.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.hue_weight = hue_weight
        ranges = np.array([DISTINCT_HSV[c] for c in range(self.num_classes)],
                          np.float32)  # (classes, hsv, low/high)
        self.register_buffer('ranges', torch.from_numpy(ranges),
                             persistent=False)

    def labels(self, bgr: np.ndarray) -> np.ndarray:
        """Class indices of a ``HxWx3`` uint8 BGR image."""
        hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV).astype(np.float32)
        hue, sat = hsv[..., 0, None], hsv[..., 1, None]
        ranges = self.ranges.cpu().numpy()
        (h_low, h_high), (s_low, s_high) = ranges[:, 0].T, ranges[:, 1].T
        half, mid = (h_high - h_low) / 2, (h_high + h_low) / 2
        off = np.abs((hue - mid + 90) % 180 - 90)  # circular, 0..90
        d_hue = np.where(half >= 90, 0.0, np.maximum(off - half, 0))
        d_sat = np.maximum(np.maximum(s_low - sat, sat - s_high), 0)
        confidence = np.clip(sat / 64.0, 0, 1)  # hue of grey pixels: noise
        dist = (self.hue_weight * d_hue * confidence)**2 + d_sat**2
        return dist.argmin(-1)

    def predict_labels(self, inputs: Tensor) -> Tensor:
        """Colour-range labels of BGR images in [-1, 1], (N, 3, H, W) ->
        (N, H, W)."""
        images = ((inputs + 1) * 127.5).round().clamp(0, 255).byte()
        images = images.permute(0, 2, 3, 1).cpu().numpy()
        return torch.from_numpy(np.stack([self.labels(i) for i in images]))


__all__ = ['ColourRangeJudge']
