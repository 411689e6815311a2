# Copyright (c) mmadvseg contributors. All rights reserved.
"""Rendering of one procedural toy scene: photo, line drawing, panoptic GT.

Each scene is an outdoor landscape: "stuff" regions (sky above a wavy
horizon, grass below, water as a lake or a shore band) and one to four
"thing" objects (elephants and sheep standing on the ground, birds in the
sky) drawn from simple primitives (ellipses, polygons, thick lines), each
class with its own texture, and with darker outlines.

Two colour modes: ``'distinct'`` gives every class its own colour range (a
per-pixel colour lookup then nearly segments the scene), ``'shared'`` draws
every region's colour from one common range, so that only shape, texture and
context tell classes apart.

The line drawing (``Scene.outline``) is the rendered outlines: one-pixel
boundaries between the drawn parts (segments and object parts such as legs,
ears and wings).

Scene ``j`` of a split depends only on ``(seed, split, j)`` (its own
``numpy.random.Generator``, :func:`scene_rng`).
"""
from dataclasses import dataclass
from typing import Any, Dict, List, Sequence, Tuple

import cv2
import numpy as np

from .classes import (
    BIRD,
    COLOR_MODES,
    DISTINCT_HSV,
    ELEPHANT,
    GRASS,
    NUM_THINGS,
    SHARED_HSV,
    SHEEP,
    SKY,
    TOY_CLASSES,
    WATER,
)

_SPLIT_CODES = {'train': 0, 'test': 1}


@dataclass
class Scene:
    """One rendered scene.

    Attributes:
        photo (np.ndarray): ``HxWx3`` uint8 BGR colour image.
        outline (np.ndarray): ``HxW`` uint8 rendered line drawing (255 =
            paper, 0 = ink).
        seg (np.ndarray): ``HxW`` int32 panoptic segment id per pixel.
        labels (np.ndarray): ``HxW`` uint8 class index per pixel (the
            order of :data:`~.classes.TOY_CLASSES`).
        segments (list[dict]): ``id``, ``category_id``, ``iscrowd``,
            ``bbox`` (x, y, w, h) and ``area`` of every visible segment.
    """
    photo: np.ndarray
    outline: np.ndarray
    seg: np.ndarray
    labels: np.ndarray
    segments: List[Dict[str, Any]]


class _Canvas:
    """Part-id canvas: every drawn primitive gets its own id."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.part = np.zeros((size, size), np.uint16)
        self.part_class: List[int] = [GRASS]
        self.part_segment: List[int] = [0]
        self.part_shade: List[float] = [1.0]
        self.segment_class: Dict[int, int] = {}

    def new_part(self, cls: int, segment: int, shade: float = 1.0) -> int:
        self.part_class.append(cls)
        self.part_segment.append(segment)
        self.part_shade.append(shade)
        self.segment_class[segment] = cls
        return len(self.part_class) - 1

    def fill(self, mask: np.ndarray, cls: int, segment: int) -> None:
        self.part[mask] = self.new_part(cls, segment)


def _pt(x: float, y: float) -> Tuple[int, int]:
    return int(round(x)), int(round(y))


def _ellipse(canvas: _Canvas, pid: int, center: Tuple[float, float],
             axes: Tuple[float, float], angle: float = 0.0) -> None:
    cv2.ellipse(canvas.part, _pt(*center),
                (max(1, int(round(axes[0]))), max(1, int(round(axes[1])))),
                angle, 0, 360, pid, -1, cv2.LINE_8)


def _poly(canvas: _Canvas, pid: int,
          points: Sequence[Tuple[float, float]]) -> None:
    pts = np.array([_pt(*p) for p in points], np.int32)
    cv2.fillPoly(canvas.part, [pts], pid, cv2.LINE_8)


def _line(canvas: _Canvas, pid: int, points: Sequence[Tuple[float, float]],
          width: float) -> None:
    pts = np.array([_pt(*p) for p in points], np.int32)
    cv2.polylines(canvas.part, [pts], False, pid, max(1, int(round(width))),
                  cv2.LINE_8)


def _draw_elephant(canvas: _Canvas, seg: int, x: float, feet: float,
                   s: float, facing: int) -> None:
    new = canvas.new_part
    body_y = feet - 0.62 * s
    leg = new(ELEPHANT, seg, 0.9)
    for dx in (-0.42, -0.2, 0.2, 0.42):
        lx = x + dx * s * facing
        _poly(canvas, leg, [(lx - 0.08 * s, body_y), (lx + 0.08 * s, body_y),
                            (lx + 0.08 * s, feet), (lx - 0.08 * s, feet)])
    _ellipse(canvas, new(ELEPHANT, seg), (x, body_y), (0.6 * s, 0.34 * s))
    hx, hy = x + 0.62 * s * facing, body_y - 0.2 * s
    _line(canvas, new(ELEPHANT, seg, 0.95),
          [(hx + 0.12 * s * facing, hy), (hx + 0.26 * s * facing,
                                          hy + 0.3 * s),
           (hx + 0.22 * s * facing, feet - 0.15 * s)], 0.1 * s)
    _ellipse(canvas, new(ELEPHANT, seg), (hx, hy), (0.24 * s, 0.22 * s))
    _ellipse(canvas, new(ELEPHANT, seg, 0.8),
             (hx - 0.1 * s * facing, hy + 0.02 * s), (0.12 * s, 0.2 * s))
    _line(canvas, new(ELEPHANT, seg, 0.7),
          [(x - 0.58 * s * facing, body_y),
           (x - 0.72 * s * facing, body_y + 0.25 * s)], 0.04 * s)


def _draw_sheep(canvas: _Canvas, seg: int, x: float, feet: float, s: float,
                facing: int, rng: np.random.Generator) -> None:
    new = canvas.new_part
    body_y = feet - 0.5 * s
    leg = new(SHEEP, seg, 0.3)
    for dx in (-0.3, -0.12, 0.12, 0.3):
        lx = x + dx * s * facing
        _line(canvas, leg, [(lx, body_y), (lx, feet)], 0.07 * s)
    wool = new(SHEEP, seg)
    _ellipse(canvas, wool, (x, body_y), (0.42 * s, 0.26 * s))
    for angle in np.linspace(0, 2 * np.pi, 11)[:-1]:  # fluffy outline
        r = 0.1 * s * rng.uniform(0.8, 1.2)
        _ellipse(canvas, wool, (x + 0.38 * s * np.cos(angle),
                                body_y + 0.22 * s * np.sin(angle)), (r, r))
    _ellipse(canvas, new(SHEEP, seg, 0.35),
             (x + 0.45 * s * facing, body_y - 0.12 * s),
             (0.15 * s, 0.1 * s), 30.0 * facing)


def _draw_bird(canvas: _Canvas, seg: int, x: float, y: float, s: float,
               facing: int, rng: np.random.Generator) -> None:
    new = canvas.new_part
    wing_up = rng.uniform(-0.5, 0.6) * s
    wing = new(BIRD, seg, 0.75)
    _poly(canvas, wing, [(x - 0.2 * s, y), (x + 0.15 * s, y),
                         (x - 0.15 * s * facing, y - wing_up - 0.25 * s)])
    _poly(canvas, new(BIRD, seg, 0.85),
          [(x - 0.4 * s * facing, y), (x - 0.65 * s * facing, y - 0.12 * s),
           (x - 0.65 * s * facing, y + 0.12 * s)])
    _ellipse(canvas, new(BIRD, seg), (x, y), (0.38 * s, 0.15 * s))
    _ellipse(canvas, new(BIRD, seg), (x + 0.38 * s * facing, y - 0.08 * s),
             (0.12 * s, 0.12 * s))
    _poly(canvas, new(BIRD, seg, 0.4),
          [(x + 0.47 * s * facing, y - 0.12 * s),
           (x + 0.65 * s * facing, y - 0.06 * s),
           (x + 0.47 * s * facing, y - 0.02 * s)])


def _stuff_layout(canvas: _Canvas, rng: np.random.Generator) -> np.ndarray:
    """Fill sky, grass and water; return the horizon row of each column."""
    size = canvas.size
    cols = np.arange(size)
    horizon = size * rng.uniform(0.3, 0.55) + size * rng.uniform(
        0.01, 0.06) * np.sin(2 * np.pi * rng.uniform(0.5, 2.0) * cols / size +
                             rng.uniform(0, 2 * np.pi))
    rows = np.arange(size)[:, None]
    canvas.fill(rows < horizon[None, :], SKY, 4000)
    canvas.fill(rows >= horizon[None, :], GRASS, 5000)
    kind = rng.choice(['lake', 'shore', 'none'], p=[0.45, 0.35, 0.2])
    if kind == 'shore':
        shore = horizon + size * rng.uniform(0.08, 0.2) + size * 0.02 * np.sin(
            2 * np.pi * rng.uniform(1, 3) * cols / size)
        canvas.fill((rows >= horizon[None, :]) & (rows < shore[None, :]),
                    WATER, 6000)
    elif kind == 'lake':
        lake = np.zeros((size, size), np.uint8)
        cy = rng.uniform(horizon.max() + 0.12 * size, 0.9 * size)
        cv2.ellipse(lake, _pt(rng.uniform(0.2, 0.8) * size, cy),
                    (int(size * rng.uniform(0.15, 0.35)),
                     int(size * rng.uniform(0.05, 0.12))), 0, 0, 360, 1, -1)
        canvas.fill((lake > 0) & (rows >= horizon[None, :] + 2), WATER, 6000)
    return horizon


def _place_things(canvas: _Canvas, horizon: np.ndarray,
                  rng: np.random.Generator) -> None:
    """Draw 1-4 non-overlapping things, far (high) ones first."""
    size = canvas.size
    boxes: List[Tuple[float, float, float, float]] = []
    objects = []
    for _ in range(int(rng.integers(1, 5))):
        cls = int(rng.choice([ELEPHANT, SHEEP, BIRD], p=[0.4, 0.4, 0.2]))
        for _try in range(20):
            facing = int(rng.choice([-1, 1]))
            x = rng.uniform(0.15, 0.85) * size
            if cls == BIRD:
                s = size * rng.uniform(0.12, 0.2)
                y = rng.uniform(0.08 * size, max(horizon.min() - 0.1 * s,
                                                 0.1 * size))
                box = (x - 0.7 * s, y - 0.9 * s, x + 0.7 * s, y + 0.2 * s)
            else:
                h = horizon[int(np.clip(x, 0, size - 1))]
                y = rng.uniform(h + 0.05 * size, 0.97 * size)
                # perspective: things lower in the frame are closer, larger
                depth = (y - h) / max(size - h, 1.0)
                s = size * (0.16 + 0.2 * depth) * (1.3 if cls == ELEPHANT
                                                    else 1.0)
                box = (x - 0.75 * s, y - 0.9 * s, x + 0.75 * s, y)
            if all(_iou(box, b) < 0.1 for b in boxes):
                boxes.append(box)
                objects.append((y, cls, x, s, facing))
                break
    counts = {ELEPHANT: 0, SHEEP: 0, BIRD: 0}
    for y, cls, x, s, facing in sorted(objects, key=lambda o: o[0]):
        counts[cls] += 1
        seg = TOY_CLASSES[cls]['id'] * 1000 + counts[cls]
        if cls == ELEPHANT:
            _draw_elephant(canvas, seg, x, y, s, facing)
        elif cls == SHEEP:
            _draw_sheep(canvas, seg, x, y, s, facing, rng)
        else:
            _draw_bird(canvas, seg, x, y, s, facing, rng)


def _iou(a: Sequence[float], b: Sequence[float]) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) -
             inter)
    return inter / union if union > 0 else 0.0


def _noise(rng: np.random.Generator, size: int, shape: Tuple[int, int],
           amplitude: float) -> np.ndarray:
    """Smooth noise: a random ``shape`` grid upsampled to ``size``."""
    grid = rng.standard_normal(shape).astype(np.float32)
    return amplitude * cv2.resize(grid, (size, size),
                                  interpolation=cv2.INTER_CUBIC)


def _textures(rng: np.random.Generator, size: int,
              horizon: np.ndarray) -> np.ndarray:
    """Per-class multiplicative shading, ``(num_classes, H, W)``."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    tex = np.empty((len(TOY_CLASSES), size, size), np.float32)
    c4, c8 = max(size // 32, 2), max(size // 8, 2)
    tex[SKY] = (0.15 * (yy / np.maximum(horizon[None, :], 1.0) - 0.5) +
                _noise(rng, size, (3, 3), 0.03))
    tex[GRASS] = (_noise(rng, size, (c8, size), 0.12) +
                  _noise(rng, size, (c4, c4), 0.06))
    tex[WATER] = 0.1 * np.sin(2 * np.pi * yy / rng.uniform(4, 7) +
                              _noise(rng, size, (c4, c4), 1.5))
    tex[ELEPHANT] = (_noise(rng, size, (c4, c4), 0.08) +
                     0.04 * np.sin(2 * np.pi * xx / 3.0))
    curls = _noise(rng, size, (c8, c8), 1.0)
    tex[SHEEP] = 0.12 * np.sin(12.0 * curls)
    tex[BIRD] = 0.08 * np.sin(2 * np.pi * (xx + yy) / 5.0)
    return tex


def _segment_colors(rng: np.random.Generator, segments: Sequence[int],
                    segment_class: Dict[int, int],
                    color_mode: str) -> Dict[int, np.ndarray]:
    """One BGR base colour per segment, drawn from its colour range."""
    colors = {}
    for seg in segments:
        ranges = (DISTINCT_HSV[segment_class[seg]]
                  if color_mode == 'distinct' else SHARED_HSV)
        hsv = np.array([[[rng.uniform(*r) for r in ranges]]], np.float32)
        hsv[..., 0] = np.mod(hsv[..., 0], 180.0)
        hsv = np.clip(np.rint(hsv), 0, 255).astype(np.uint8)
        colors[seg] = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0].astype(
            np.float32)
    return colors


def _boundaries(labels: np.ndarray, both_sides: bool = False) -> np.ndarray:
    """Pixels whose right or lower neighbour has another label.

    With ``both_sides`` the left and upper neighbours count too (two-pixel
    wide boundaries).
    """
    edge = np.zeros(labels.shape, bool)
    horizontal = labels[:, :-1] != labels[:, 1:]
    vertical = labels[:-1, :] != labels[1:, :]
    edge[:, :-1] |= horizontal
    edge[:-1, :] |= vertical
    if both_sides:
        edge[:, 1:] |= horizontal
        edge[1:, :] |= vertical
    return edge


def _segments_info(seg: np.ndarray,
                   segment_class: Dict[int, int]) -> List[Dict[str, Any]]:
    info = []
    for seg_id in np.unique(seg):
        ys, xs = np.nonzero(seg == seg_id)
        x0, y0 = int(xs.min()), int(ys.min())
        info.append(
            dict(
                id=int(seg_id),
                category_id=TOY_CLASSES[segment_class[int(seg_id)]]['id'],
                iscrowd=0,
                bbox=[x0, y0, int(xs.max()) - x0 + 1,
                      int(ys.max()) - y0 + 1],
                area=int(len(xs))))
    return info


def render_scene(rng: np.random.Generator, size: int,
                 color_mode: str) -> Scene:
    """Render one random scene.

    Args:
        rng (np.random.Generator): Source of randomness.
        size (int): Side of the square image (>= 32).
        color_mode (str): ``'distinct'`` or ``'shared'``.

    Returns:
        Scene: Photo, rendered outlines and panoptic ground truth.
    """
    if color_mode not in COLOR_MODES:
        raise ValueError(f'color_mode must be one of {COLOR_MODES}, got '
                         f'{color_mode!r}')
    if size < 32:
        raise ValueError(f'size must be at least 32, got {size}')
    canvas = _Canvas(size)
    horizon = _stuff_layout(canvas, rng)
    _place_things(canvas, horizon, rng)
    part = canvas.part
    part_segment = np.array(canvas.part_segment, np.int32)
    seg = part_segment[part]
    cls = np.array(canvas.part_class, np.int64)[part]
    shade = np.array(canvas.part_shade, np.float32)[part]

    segments = [int(s) for s in np.unique(seg)]
    colors = _segment_colors(rng, segments, canvas.segment_class, color_mode)
    lut = np.zeros((len(part_segment), 3), np.float32)
    for pid, s in enumerate(part_segment):
        if s in colors:
            lut[pid] = colors[s]
    texture = np.take_along_axis(
        _textures(rng, size, horizon), cls[None], axis=0)[0]
    photo = lut[part] * (shade * (1.0 + texture))[..., None]
    photo += 3.0 * rng.standard_normal(photo.shape, dtype=np.float32)
    # darker outlines around things, as in a cartoon
    thing_edge = _boundaries(part, both_sides=True) & (cls < NUM_THINGS)
    photo[thing_edge] *= 0.45
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    outline = np.where(_boundaries(part), 0, 255).astype(np.uint8)
    return Scene(photo, outline, seg, cls.astype(np.uint8),
                 _segments_info(seg, canvas.segment_class))


def scene_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The generator of scene ``index`` of ``split`` (order-independent)."""
    return np.random.default_rng([seed, _SPLIT_CODES[split], index])


def id2rgb(seg: np.ndarray) -> np.ndarray:
    """Panoptic ids to an RGB image with id = R + 256 G + 256^2 B."""
    seg = seg.astype(np.uint32)
    return np.stack([seg % 256, seg // 256 % 256, seg // 65536 % 256],
                    axis=-1).astype(np.uint8)
