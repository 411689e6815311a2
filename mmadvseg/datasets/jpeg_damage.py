# Copyright (c) mmadvseg contributors. All rights reserved.
"""Damage in a JPEG's image data that the decoder does not notice.

JPEG has no checksum. A garbled byte of the entropy-coded data that still
decodes as valid codes gives no libjpeg warning, but most such damage shows
one way: a DC coefficient goes wrong and, as DC values are coded as
differences, every later block of that component is brighter or darker (or
tinted): a step of one size along the MCU grid, from the damaged block to
the end of its MCU row, and along the row boundary below, left of it. Photos
hardly ever have that staircase. :func:`dc_step_score` measures it on the
decoded image; ``tools/analysis/benchmark_garbled_jpeg.py`` measures how
much of the undetected damage it catches.
"""
from typing import Optional, Tuple

import cv2
import numpy as np

#: :func:`dc_step_score` above which an image is reported: higher than
#: every clean image of the benchmark (at most 6.5, for a JPEG re-encoded
#: at quality 50; at most 4.3 from quality 75 on).
DC_STEP_LIMIT = 7.0
#: Blocks either side of the damaged one that the score looks at, so that
#: it does not grow with the image size.
SPAN = 12


def mcu_size(data: bytes) -> Tuple[int, int]:
    """Width and height of a JPEG's MCU, from its frame header.

    Args:
        data (bytes): A JPEG file.

    Returns:
        tuple[int, int]: ``(width, height)``; ``(16, 16)`` (4:2:0, the
        usual) when no baseline or progressive frame header is found.
    """
    pos = 2
    while pos + 10 <= len(data) and data[pos] == 0xFF:
        length = int.from_bytes(data[pos + 2:pos + 4], 'big')
        if data[pos + 1] in (0xC0, 0xC1, 0xC2):
            factors = data[pos + 11:pos + 11 + 3 * data[pos + 9]:3]
            if factors:
                return (8 * max(f >> 4 for f in factors),
                        8 * max(f & 15 for f in factors))
        pos += 2 + length
    return 16, 16


def _row_steps(ycc: np.ndarray, width: int, height: int) -> np.ndarray:
    """Steps across the MCU row boundaries that a straight line through the
    rows either side does not explain, per MCU column and channel:
    ``(rows - 1) x cols x 3``."""
    rows, cols = ycc.shape[0] // height, ycc.shape[1] // width
    profile = ycc[:rows * height, :cols * width].reshape(
        rows * height, cols, width, 3).mean(2)
    top = np.arange(1, rows) * height

    def pair(k: int) -> np.ndarray:  # the mean of rows top + k, top + k + 1
        return (profile[top + k] + profile[top + k + 1]) / 2

    return pair(0) - pair(-2) - (pair(2) - pair(0) + pair(-2) - pair(-4)) / 2


def _z(steps: np.ndarray) -> np.ndarray:
    """Steps in units of their robust spread."""
    return steps / (1.4826 * np.median(np.abs(steps)) + 0.25)


def dc_step_score(img: np.ndarray, data: bytes
                  ) -> Tuple[float, Optional[Tuple[int, int]]]:
    """How strongly an image shows the staircase of a wrong DC value.

    For each block ``(row, col)`` the steps across the row boundary above
    it (from ``col`` on) and below the row, left of ``col``, must have the
    same sign, as the step at its left edge must, and the score is the
    smaller of the two t-values (steps clipped at 3 spreads).

    Args:
        img (np.ndarray): The decoded ``HxWx3`` BGR image.
        data (bytes): Its file (JPEG: for the MCU size).

    Returns:
        tuple: The score, and ``(x, y)`` of the top-left pixel of the block
        where the step starts (0 and None for an image of under 3x4 MCUs
        and for a file that is not a JPEG).
    """
    if data[:2] != b'\xff\xd8':  # not a JPEG
        return 0.0, None
    width, height = mcu_size(data)
    rows, cols = img.shape[0] // height, img.shape[1] // width
    if rows < 3 or cols < 4:
        return 0.0, None
    ycc = cv2.cvtColor(img, cv2.COLOR_BGR2YCrCb).astype(np.float32)
    down = _row_steps(ycc, width, height)
    right = _row_steps(ycc.transpose(1, 0, 2), height, width)
    right = right.transpose(1, 0, 2)
    col = np.arange(1, cols)
    end, start = np.minimum(col + SPAN, cols), np.maximum(col - SPAN, 0)
    best, where = 0.0, None
    for channel in range(3):
        z = np.clip(_z(down[..., channel]), -3, 3)
        sums = np.concatenate([np.zeros((rows - 1, 1)), z.cumsum(1)], 1)
        above = (sums[:-1, end] - sums[:-1, col]) / np.sqrt(end - col)
        below = (sums[1:, col] - sums[1:, start]) / np.sqrt(col - start)
        edge = _z(right[..., channel])[1:-1, col - 1]
        same = ((np.sign(above) == np.sign(below))
                & (np.sign(edge) == np.sign(above)) & (np.abs(edge) >= 2))
        score = np.where(same, np.minimum(np.abs(above), np.abs(below)), 0)
        row, i = np.unravel_index(np.argmax(score), score.shape)
        if score[row, i] > best:
            best = float(score[row, i])
            where = (int(col[i]) * width, (int(row) + 1) * height)
    return best, where


__all__ = ['DC_STEP_LIMIT', 'mcu_size', 'dc_step_score']
