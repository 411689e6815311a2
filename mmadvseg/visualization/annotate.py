# Copyright (c) mmadvseg contributors. All rights reserved.
"""Captions and legends drawn into pictures, sized by the pictures: a
caption above every column and a legend of colour swatches below, in a
font that grows with the tiles (a 4096-pixel grid is as readable as a
256-pixel one) and tiles enlarged (nearest neighbour, so every pixel stays
visible) or padded until the text fits (a 1-pixel input still shows whole
captions).
"""
import math
from typing import List, Sequence, Tuple

import cv2
import numpy as np

_FONT = cv2.FONT_HERSHEY_SIMPLEX
#: Tiles smaller than this (longer side) are enlarged by a whole factor.
MIN_TILE = 128
#: Text height per tile pixel (of the tile's longer side), and the least.
TEXT_RATIO, MIN_TEXT = 1 / 16, 11
Color = Sequence[int]


def text_scale(side: int) -> Tuple[float, int]:
    """OpenCV font scale and thickness for tiles whose longer side is
    ``side`` pixels."""
    height = max(MIN_TEXT, side * TEXT_RATIO)
    return height / 22, max(1, round(height / 14))


def _text_size(text: str, scale: float, thick: int) -> Tuple[int, int]:
    (width, height), _ = cv2.getTextSize(text, _FONT, scale, thick)
    return width, height


def enlarge(tile: np.ndarray, side: int = MIN_TILE) -> np.ndarray:
    """``tile`` enlarged by the whole factor that brings its longer side to
    at least ``side`` (nearest neighbour; itself when large enough)."""
    factor = math.ceil(side / max(tile.shape[:2]))
    if factor <= 1:
        return tile
    return np.repeat(np.repeat(tile, factor, 0), factor, 1)


def captioned_row(tiles: Sequence[np.ndarray],
                  captions: Sequence[str]) -> np.ndarray:
    """Same-size tiles side by side, each under its caption (tiles are
    first :func:`enlarge`\\ d, then padded with white to the caption's
    width).

    Args:
        tiles (Sequence[np.ndarray]): ``HxWx3`` uint8 BGR images of one
            size.
        captions (Sequence[str]): One per tile.

    Returns:
        np.ndarray: The row, uint8 BGR.
    """
    tiles = [enlarge(tile) for tile in tiles]
    height, width = tiles[0].shape[:2]
    scale, thick = text_scale(max(height, width))
    pad = max(2, round(scale * 8))
    text_w = max(_text_size(c, scale, thick)[0] for c in captions) + 2 * pad
    text_h = _text_size('Ag', scale, thick)[1]
    cell_w = max(width, text_w)
    row = np.full((text_h + 3 * pad + height, cell_w * len(tiles), 3), 255,
                  np.uint8)
    for i, (tile, caption) in enumerate(zip(tiles, captions)):
        x = i * cell_w
        left = x + (cell_w - width) // 2
        row[text_h + 3 * pad:, left:left + width] = tile
        tw = _text_size(caption, scale, thick)[0]
        cv2.putText(row, caption, (x + (cell_w - tw) // 2, text_h + pad),
                    _FONT, scale, (0, 0, 0), thick, cv2.LINE_AA)
    return row


def caption_strip(captions: Sequence[str], cell_w: int) -> np.ndarray:
    """A white strip of captions centred over columns ``cell_w`` wide, in
    the text size of such tiles, made smaller where a caption would not
    fit its column.

    Args:
        captions (Sequence[str]): One per column.
        cell_w (int): Width of every column.

    Returns:
        np.ndarray: The strip, uint8 BGR.
    """
    scale, thick = text_scale(cell_w)
    widest = max(_text_size(c, scale, thick)[0] for c in captions)
    scale *= min(1.0, (cell_w - 6) / widest)
    text_h = _text_size('Ag', scale, thick)[1]
    pad = max(3, text_h // 2)
    strip = np.full((text_h + 2 * pad, cell_w * len(captions), 3), 255,
                    np.uint8)
    for i, caption in enumerate(captions):
        tw = _text_size(caption, scale, thick)[0]
        cv2.putText(strip, caption, (i * cell_w + (cell_w - tw) // 2,
                                     text_h + pad - 1), _FONT, scale,
                    (0, 0, 0), thick, cv2.LINE_AA)
    return strip


def legend(entries: Sequence[Tuple[str, Color]], width: int,
           side: int) -> np.ndarray:
    """Rows of colour swatches and names, ``width`` pixels wide, in the
    text size of tiles of ``side`` pixels (:func:`text_scale`).

    Args:
        entries (Sequence[tuple]): ``(name, BGR colour)``.
        width (int): Width of the panel.
        side (int): Longer side of the tiles it explains.

    Returns:
        np.ndarray: The panel, uint8 BGR (white).
    """
    scale, thick = text_scale(side)
    text_h = _text_size('Ag', scale, thick)[1]
    pad, row_h = max(2, round(text_h / 3)), text_h * 2
    rows: List[List[Tuple[str, Color, int]]] = [[]]
    x = pad
    for name, color in entries:
        w = text_h * 2 + _text_size(name, scale, thick)[0] + 2 * pad
        if rows[-1] and x + w > width:
            rows.append([])
            x = pad
        rows[-1].append((name, color, x))
        x += w
    panel = np.full((row_h * len(rows) + pad, width, 3), 255, np.uint8)
    for r, row in enumerate(rows):
        y = pad + r * row_h
        for name, color, x in row:
            cv2.rectangle(panel, (x, y), (x + text_h, y + text_h),
                          tuple(int(c) for c in color), -1)
            cv2.rectangle(panel, (x, y), (x + text_h, y + text_h),
                          (0, 0, 0), 1)
            cv2.putText(panel, name, (x + text_h * 3 // 2, y + text_h),
                        _FONT, scale, (0, 0, 0), thick, cv2.LINE_AA)
    return panel


__all__ = [
    'captioned_row', 'caption_strip', 'legend', 'enlarge', 'text_scale',
    'MIN_TILE'
]
