# Copyright (c) mmadvseg contributors. All rights reserved.
"""The base of the judges: segmenters of generated images that give every
pixel one class, with no gradient."""
from typing import Optional

import torch
from mmengine.model import BaseModule
from torch import Tensor

from ..models.segmenters.panoptic_segmenter import SegMaps


class LabelJudge(BaseModule):
    """A segmenter of generated images that labels every pixel with one
    class, behind the interface of ``FrozenPanopticSegmenter`` (BGR
    [-1, 1] in, one-hot :class:`SegMaps` out), so that the segmentation
    metrics can use it. A judge needs no gradient.

    Subclasses set ``num_classes`` and ``num_things`` (things first) and
    implement :meth:`predict_labels`.

    Args:
        init_cfg (dict, optional): mmengine's ``init_cfg``. Defaults to None.
    """

    num_classes: int
    num_things: int

    def __init__(self, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)

    def predict_labels(self, inputs: Tensor) -> Tensor:
        """Class labels of BGR images in [-1, 1], (N, 3, H, W) ->
        (N, H, W) int64, on any device."""
        raise NotImplementedError

    @torch.no_grad()
    def forward(self, inputs: Tensor) -> SegMaps:
        """One-hot maps of :meth:`predict_labels`, on the device and in the
        dtype of ``inputs``.

        Args:
            inputs (Tensor): BGR images in [-1, 1], (N, 3, H, W).

        Returns:
            SegMaps: (N, num_classes, H, W) one-hot maps and their
            thing/stuff sums.
        """
        maps = SegMaps.from_labels(
            self.predict_labels(inputs), self.num_classes, self.num_things)
        return SegMaps(*(m.to(inputs) for m in maps))


__all__ = ['LabelJudge']
