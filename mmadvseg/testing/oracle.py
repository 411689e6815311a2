# Copyright (c) mmadvseg contributors. All rights reserved.
"""A segmenter double for metric tests: it returns the label maps it was
given for known images, so scores can be checked by hand."""
from typing import Dict, NamedTuple, Optional

import numpy as np
import torch
import torch.nn as nn


class SegMaps(NamedTuple):
    """The outputs of ``FrozenPanopticSegmenter``: class and thing/stuff
    probabilities."""
    probs: torch.Tensor
    binary: torch.Tensor


def image_key(bgr: torch.Tensor) -> bytes:
    """Key of a BGR [-1, 1] image in an :class:`OracleSegmenter` table."""
    return ((bgr + 1) * 127.5).round().to(torch.uint8).cpu().numpy().tobytes()


class OracleSegmenter(nn.Module):
    """One-hot maps of the labels registered for each image (looked up by
    its pixels, :func:`image_key`), else of a constant class.

    Args:
        table (dict, optional): ``image_key(bgr) -> (H, W)`` labels.
        constant (int): Class of images not in the table. Defaults to 0.
        num_classes (int): Number of classes. Defaults to 6.
        num_things (int): The first ``num_things`` classes are things.
            Defaults to 3.
    """

    def __init__(self,
                 table: Optional[Dict[bytes, np.ndarray]] = None,
                 constant: int = 0,
                 num_classes: int = 6,
                 num_things: int = 3) -> None:
        super().__init__()
        self.register_buffer('dummy', torch.zeros(1))
        self.table, self.constant = table or {}, constant
        self.num_classes, self.num_things = num_classes, num_things

    def forward(self, bgr: torch.Tensor) -> SegMaps:
        out = []
        for img in bgr:
            labels = self.table.get(image_key(img))
            labels = (torch.from_numpy(np.asarray(labels)).long()
                      if labels is not None else torch.full(
                          img.shape[-2:], self.constant, dtype=torch.long))
            out.append(
                nn.functional.one_hot(labels, self.num_classes).permute(
                    2, 0, 1))
        probs = torch.stack(out).float()
        binary = torch.stack([
            probs[:, :self.num_things].sum(1),
            probs[:, self.num_things:].sum(1)
        ], 1)
        return SegMaps(probs, binary)
