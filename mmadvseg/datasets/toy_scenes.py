# Copyright (c) mmadvseg contributors. All rights reserved.
"""Procedural toy scenes with panoptic ground truth, for demos and tests.

Each scene is an outdoor landscape: "stuff" regions (sky above a wavy
horizon, grass below, water as a lake or a shore band) and one to four
"thing" objects (elephants and sheep standing on the ground, birds in the
sky) drawn from simple primitives (ellipses, polygons, thick lines), each
class with its own texture, and with darker outlines. For every scene the
generator writes

* the colour photo and its sketch, in the paired (``paired/{train,test}``,
  A|B) and unpaired (``unpaired/{train,test}{A,B}``) layouts of
  :mod:`mmadvseg.datasets.layouts`;
* COCO panoptic ground truth: ``annotations/panoptic_{split}.json`` and
  ``panoptic/{split}/NAME.png`` (segment id = R + 256 G + 256^2 B), with the
  photos in ``images/{split}/``, loadable by mmdet's ``CocoPanopticDataset``
  with :data:`TOY_METAINFO` (see :meth:`ToyScenes.mmdet_dataset_cfg`).

Two colour modes: ``'distinct'`` gives every class its own colour range (a
per-pixel colour lookup then nearly segments the scene), ``'shared'`` draws
every region's colour from one common range, so that only shape, texture and
context tell classes apart.

The sketch is, by default, the rendered outlines (``'outline'``): one-pixel
boundaries between the drawn parts (segments and object parts such as legs,
ears and wings), i.e. a clean line drawing. ``'xdog'`` or ``'canny'`` extract
it from the photo instead, like the real datasets.

Scene ``j`` of a split depends only on ``(seed, split, j)`` (its own
``numpy.random.Generator``), so the output is identical for any number of
processes and adding scenes never changes the existing ones.
"""
import json
import os
import os.path as osp
from dataclasses import dataclass
from typing import Any, Dict, List, Sequence, Tuple

import cv2
import numpy as np

from .layouts import (
    LAYOUTS,
    atomic_imwrite,
    layout_root,
    paired_path,
    unpaired_paths,
    write_sample,
)
from ..utils.parallel import run_parallel
from .sketch.extract import build_sketcher

#: Classes, things first then stuff (mmdet's order: thing labels 0..T-1,
#: stuff labels T..). ``id`` is the COCO category id.
TOY_CLASSES: Tuple[Dict[str, Any], ...] = (
    dict(id=1, name='elephant', isthing=1, supercategory='animal'),
    dict(id=2, name='sheep', isthing=1, supercategory='animal'),
    dict(id=3, name='bird', isthing=1, supercategory='animal'),
    dict(id=4, name='sky', isthing=0, supercategory='outdoor'),
    dict(id=5, name='grass', isthing=0, supercategory='outdoor'),
    dict(id=6, name='water', isthing=0, supercategory='outdoor'),
)
ELEPHANT, SHEEP, BIRD, SKY, GRASS, WATER = range(len(TOY_CLASSES))

#: ``metainfo`` for mmdet's ``CocoPanopticDataset`` (RGB palette).
TOY_METAINFO: Dict[str, Any] = dict(
    classes=tuple(c['name'] for c in TOY_CLASSES),
    thing_classes=tuple(c['name'] for c in TOY_CLASSES if c['isthing']),
    stuff_classes=tuple(c['name'] for c in TOY_CLASSES if not c['isthing']),
    palette=[(128, 128, 128), (240, 230, 200), (220, 40, 30),
             (135, 190, 240), (60, 160, 60), (20, 110, 130)])

COLOR_MODES = ('distinct', 'shared')
TOY_SKETCHES = ('outline', 'xdog', 'canny')

# HSV ranges (OpenCV: H in [0, 180), S and V in [0, 255]) per class index.
_DISTINCT_HSV = {
    ELEPHANT: ((0, 180), (0, 25), (95, 150)),
    SHEEP: ((18, 30), (25, 70), (205, 245)),
    BIRD: ((0, 12), (170, 250), (170, 235)),
    SKY: ((100, 112), (60, 140), (215, 255)),
    GRASS: ((40, 70), (120, 230), (90, 170)),
    WATER: ((84, 96), (150, 240), (70, 130)),
}
_SHARED_HSV = ((0, 180), (40, 200), (80, 230))
_SPLIT_CODES = {'train': 0, 'test': 1}


@dataclass
class Scene:
    """One rendered scene.

    Attributes:
        photo (np.ndarray): ``HxWx3`` uint8 BGR colour image.
        outline (np.ndarray): ``HxW`` uint8 rendered line drawing (255 =
            paper, 0 = ink).
        seg (np.ndarray): ``HxW`` int32 panoptic segment id per pixel.
        segments (list[dict]): ``id``, ``category_id``, ``iscrowd``,
            ``bbox`` (x, y, w, h) and ``area`` of every visible segment.
    """
    photo: np.ndarray
    outline: np.ndarray
    seg: np.ndarray
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
        ranges = (_DISTINCT_HSV[segment_class[seg]]
                  if color_mode == 'distinct' else _SHARED_HSV)
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


def render_scene(rng: np.random.Generator,
                 size: int = 128,
                 color_mode: str = 'distinct') -> Scene:
    """Render one random scene.

    Args:
        rng (np.random.Generator): Source of randomness.
        size (int): Side of the square image. Defaults to 128.
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
    num_things = len(TOY_METAINFO['thing_classes'])
    thing_edge = _boundaries(part, both_sides=True) & (cls < num_things)
    photo[thing_edge] *= 0.45
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    outline = np.where(_boundaries(part), 0, 255).astype(np.uint8)
    return Scene(photo, outline, seg,
                 _segments_info(seg, canvas.segment_class))


def scene_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The generator of scene ``index`` of ``split`` (order-independent)."""
    return np.random.default_rng([seed, _SPLIT_CODES[split], index])


def id2rgb(seg: np.ndarray) -> np.ndarray:
    """Panoptic ids to an RGB image with id = R + 256 G + 256^2 B."""
    seg = seg.astype(np.uint32)
    return np.stack([seg % 256, seg // 256 % 256, seg // 65536 % 256],
                    axis=-1).astype(np.uint8)


@dataclass(frozen=True)
class ToyScenes:
    """Where :func:`generate_toy_scenes` wrote a dataset.

    Attributes:
        root (str): Dataset root.
        splits (tuple[str]): The splits written.
    """
    root: str
    splits: Tuple[str, ...] = ('train', 'test')

    def data_root(self, layout: str) -> str:
        """``data_root`` of the ``'paired'`` or ``'unpaired'`` GAN data."""
        return layout_root(self.root, layout)

    def ann_file(self, split: str) -> str:
        """COCO panoptic json of ``split``."""
        return osp.join(self.root, 'annotations', f'panoptic_{split}.json')

    def img_dir(self, split: str) -> str:
        """Folder of the colour photos of ``split``."""
        return osp.join(self.root, 'images', split)

    def seg_dir(self, split: str) -> str:
        """Folder of the panoptic PNG masks of ``split``."""
        return osp.join(self.root, 'panoptic', split)

    def mmdet_dataset_cfg(self, split: str, **kwargs: Any) -> Dict[str, Any]:
        """A config dict for mmdet's ``CocoPanopticDataset`` on ``split``.

        Args:
            split (str): ``'train'`` or ``'test'``.
            **kwargs: Extra dataset arguments (``pipeline``, ...).

        Returns:
            dict: Dataset config.
        """
        cfg = dict(
            type='CocoPanopticDataset',
            data_root=self.root,
            ann_file=f'annotations/panoptic_{split}.json',
            data_prefix=dict(img=f'images/{split}/', seg=f'panoptic/{split}/'),
            metainfo=dict(TOY_METAINFO))
        cfg.update(kwargs)
        return cfg


class _SceneWriter:
    """Picklable ``(split, index) -> (image record, annotation record)``."""

    def __init__(self, root: str, size: int, seed: int, color_mode: str,
                 sketch: str, layouts: Tuple[str, ...]) -> None:
        self.root, self.size, self.seed = root, size, seed
        self.color_mode, self.layouts = color_mode, layouts
        self.sketcher = None if sketch == 'outline' else build_sketcher(
            sketch, **(dict(preset='xdog_paper') if sketch == 'xdog' else {}))

    def __call__(self, item: Tuple[str, int]) -> Tuple[dict, dict]:
        split, index = item
        scene = render_scene(
            scene_rng(self.seed, split, index), self.size, self.color_mode)
        name = f'{index:06d}'
        file_name = f'{name}.png'
        sketch = (scene.outline
                  if self.sketcher is None else self.sketcher(scene.photo))
        atomic_imwrite(osp.join(self.root, 'images', split, file_name),
                       scene.photo)
        atomic_imwrite(osp.join(self.root, 'panoptic', split, file_name),
                       id2rgb(scene.seg)[..., ::-1])
        if self.layouts:
            write_sample(self.root, split, name, sketch, scene.photo,
                         self.layouts)
        image = dict(id=index, file_name=file_name, height=self.size,
                     width=self.size)
        ann = dict(image_id=index, file_name=file_name,
                   segments_info=scene.segments)
        return image, ann


def _remove_stale(root: str, counts: Dict[str, int],
                  layouts: Sequence[str]) -> int:
    """Delete scene files of an earlier, larger or different run.

    Only files named like ours (``NNNNNN.png``) inside the generator's own
    folders are touched: scenes beyond the new counts, and the GAN layouts
    that this run does not write.

    Returns:
        int: Number of removed files.
    """
    removed = 0
    for split, count in counts.items():
        folders = {
            osp.join(root, 'images', split): count,
            osp.join(root, 'panoptic', split): count,
        }
        for layout in LAYOUTS:
            keep = count if layout in layouts else 0
            if layout == 'paired':
                folders[osp.dirname(paired_path(root, split, 'x'))] = keep
            else:
                for path in unpaired_paths(root, split, 'x'):
                    folders[osp.dirname(path)] = keep
        for folder, keep in folders.items():
            if not osp.isdir(folder):
                continue
            for name in os.listdir(folder):
                stem, ext = osp.splitext(name)
                if ext == '.png' and len(stem) == 6 and stem.isdigit() \
                        and int(stem) >= keep:
                    os.remove(osp.join(folder, name))
                    removed += 1
    return removed


def generate_toy_scenes(out_dir: str,
                        num_train: int = 200,
                        num_test: int = 50,
                        size: int = 128,
                        seed: int = 0,
                        color_mode: str = 'distinct',
                        nproc: int = 1,
                        sketch: str = 'outline',
                        layouts: Sequence[str] = LAYOUTS,
                        progress: bool = False) -> ToyScenes:
    """Generate a toy scene dataset (photos, sketches, panoptic GT).

    Existing files are overwritten (generation is cheap and deterministic),
    and scene files of an earlier run that this one does not produce (more
    scenes, other layouts) are deleted so that no stale scene is mixed in.

    Args:
        out_dir (str): Dataset root.
        num_train (int): Number of training scenes. Defaults to 200.
        num_test (int): Number of test scenes. Defaults to 50.
        size (int): Image side in pixels (>= 32). Defaults to 128.
        seed (int): Random seed. Defaults to 0.
        color_mode (str): ``'distinct'`` or ``'shared'``.
        nproc (int): Number of processes. Defaults to 1.
        sketch (str): ``'outline'`` (rendered part boundaries, default),
            ``'xdog'`` (``xdog_paper`` preset) or ``'canny'`` of the photo.
        layouts (Sequence[str]): GAN layouts to write, a subset of
            ``('paired', 'unpaired')``; empty for panoptic data only.
        progress (bool): Show a progress bar.

    Returns:
        ToyScenes: The paths of the dataset.
    """
    if color_mode not in COLOR_MODES:
        raise ValueError(f'color_mode must be one of {COLOR_MODES}, got '
                         f'{color_mode!r}')
    if sketch not in TOY_SKETCHES:
        raise ValueError(f'sketch must be one of {TOY_SKETCHES}, got '
                         f'{sketch!r}')
    if num_train < 0 or num_test < 0:
        raise ValueError('num_train and num_test must be >= 0')
    writer = _SceneWriter(out_dir, size, seed, color_mode, sketch,
                          tuple(layouts))
    counts = {'train': num_train, 'test': num_test}
    _remove_stale(out_dir, counts, tuple(layouts))
    items = [(split, i) for split in ('train', 'test')
             for i in range(counts[split])]
    results = run_parallel(writer, items, nproc, desc='toy scenes',
                           progress=progress)
    dataset = ToyScenes(osp.abspath(out_dir))
    categories = [dict(c) for c in TOY_CLASSES]
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    for split in ('train', 'test'):
        records = [r for item, r in zip(items, results) if item[0] == split]
        content = dict(
            info=dict(description=f'mmadvseg toy scenes ({color_mode} '
                      f'colours, seed {seed}, {size}px)'),
            images=[r[0] for r in records],
            annotations=[r[1] for r in records],
            categories=categories)
        tmp = dataset.ann_file(split) + '.partial'
        with open(tmp, 'w') as f:
            json.dump(content, f)
        os.replace(tmp, dataset.ann_file(split))
    return dataset


__all__ = [
    'TOY_CLASSES', 'TOY_METAINFO', 'COLOR_MODES', 'Scene', 'ToyScenes',
    'render_scene', 'scene_rng', 'generate_toy_scenes', 'id2rgb'
]

