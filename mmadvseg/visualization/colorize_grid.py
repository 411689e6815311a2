# Copyright (c) mmadvseg contributors. All rights reserved.
"""The colorizer's grid view (``tools/colorize.py --grid``, the web demo):
sketch | colour | segmentation of the colour | thing/stuff map, with a
legend of the class names.

The segmenter is the one the model was trained with (``adv_seg``) or, for
a baseline, the one its evaluation uses; it is built only when a grid is
asked for, and the grid keeps sketch | colour when its weights are not
available.
"""
import os.path as osp
import warnings
from functools import partial
from typing import Any, Callable, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .annotate import captioned_row, enlarge, legend
from .translation_grid import colorize_labels

#: Colours (BGR) of the thing/stuff map.
THING_COLOR, STUFF_COLOR = (40, 160, 250), (160, 110, 40)


def segmenter_of(cfg: Any) -> Optional[dict]:
    """The segmenter config of a training config: ``model.adv_seg``'s, else
    the first ``FrozenPanopticSegmenter`` of its test metrics; None without
    one."""
    adv_seg = cfg.model.get('adv_seg')
    if adv_seg and adv_seg.get('segmenter'):
        return dict(adv_seg.segmenter)
    evaluator = cfg.get('test_evaluator') or {}
    metrics = evaluator.get('metrics', []) if isinstance(
        evaluator, dict) else evaluator
    for metric in metrics:
        segmenter = metric.get('segmenter') or {}
        if segmenter.get('type') == 'FrozenPanopticSegmenter':
            return dict(segmenter)
    return None


def class_info(config: Any, num_classes: int) -> Tuple[List[str], np.ndarray]:
    """Class names and an RGB palette of a segmenter's mmdet config (its
    ``metainfo``, else its dataset class's)."""
    from mmengine.config import Config
    names: Sequence[str] = []
    palette: Any = None
    try:
        if isinstance(config, str) and config.startswith('mmdet::'):
            from mmengine.hub import get_config
            cfg = get_config(config)
        else:
            cfg = Config.fromfile(config) if isinstance(config, str) else \
                Config(config)
        dataset = cfg.get('train_dataloader', {}).get('dataset', {})
        meta = cfg.get('metainfo') or dataset.get('metainfo')
        if not meta and dataset.get('type'):
            from mmdet.registry import DATASETS
            meta = DATASETS.get(dataset.type).METAINFO
        names, palette = meta.get('classes', ()), meta.get('palette')
    except Exception:  # noqa: BLE001  (no names: numbered classes)
        pass
    names = list(names)[:num_classes]
    names += [f'class {i}' for i in range(len(names), num_classes)]
    if palette is None or len(palette) < num_classes:
        palette = np.random.default_rng(0).integers(0, 256, (num_classes, 3))
    return names, np.asarray(palette, np.uint8)[:num_classes]


class SegmentationView:
    """Segments colorizations for the grid.

    Args:
        segmenter_cfg (dict): A ``FrozenPanopticSegmenter`` config.
        device (str): Device. Defaults to ``'cpu'``.
        size (int, optional): Segment images resized to this longer side
            (the scale the segmenter judged at in training), the labels
            resized back; None: at their size.

    Raises:
        FileNotFoundError: The segmenter's weights are not available.
    """

    def __init__(self, segmenter_cfg: dict, device: str = 'cpu',
                 size: Optional[int] = None) -> None:
        from mmagic.registry import MODELS
        from mmengine.registry import DefaultScope

        import mmadvseg.models  # noqa: F401  (registers the segmenter)
        with DefaultScope.overwrite_default_scope('mmagic'):
            self.segmenter = MODELS.build(segmenter_cfg).to(device)
        self.device, self.size = device, size
        self.num_things = self.segmenter.num_things
        self.names, self.palette = class_info(
            segmenter_cfg.get('config'), self.segmenter.num_classes)

    def __call__(self, image: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Class index and thing mask per pixel of an ``HxWx3`` uint8 BGR
        image."""
        import torch
        height, width = image.shape[:2]
        if self.size and max(height, width) != self.size:
            scale = self.size / max(height, width)
            image = cv2.resize(image, (max(1, round(width * scale)),
                                       max(1, round(height * scale))),
                               interpolation=cv2.INTER_AREA)
        x = torch.from_numpy(image).permute(2, 0, 1)[None].float()
        with torch.no_grad(), warnings.catch_warnings():
            # torch's note on meshgrid's indexing, inside mmdet's heads
            warnings.filterwarnings('ignore', 'torch.meshgrid')
            probs = self.segmenter(x.to(self.device) / 127.5 - 1).probs
        labels = probs[0].argmax(0).cpu().numpy()
        if labels.shape != (height, width):
            labels = cv2.resize(labels.astype(np.int32), (width, height),
                                interpolation=cv2.INTER_NEAREST)
        return labels, labels < self.num_things

    def legend(self, labels: np.ndarray) -> List[Tuple[str, Sequence[int]]]:
        """``(name, BGR colour)`` of the classes in ``labels``, then of
        thing and stuff."""
        entries = [(self.names[i], tuple(map(int, self.palette[i, ::-1])))
                   for i in np.unique(labels)]
        return entries + [('thing', THING_COLOR), ('stuff', STUFF_COLOR)]


def segmentation_view(cfg: Any, device: str = 'cpu',
                      size: Optional[int] = None
                      ) -> Tuple[Optional[SegmentationView], str]:
    """The segmenter of a model's config as a :class:`SegmentationView`
    (None when it has none or its weights are missing) and a note: the
    segmenter's config, or why there is none.

    Args:
        cfg (Config, optional): The model's training config; None for an
            ONNX model.
        device (str): Device of the segmenter. Defaults to ``'cpu'``.
        size (int, optional): See :class:`SegmentationView`.

    Returns:
        tuple: The view (or None) and the note.
    """
    if cfg is None:
        return None, 'an ONNX model has no segmenter config'
    seg_cfg = segmenter_of(cfg)
    if seg_cfg is None:
        return None, 'the model\'s config names no segmenter'
    try:
        view = SegmentationView(seg_cfg, device, size)
    except FileNotFoundError as err:
        return None, (f'{str(err).splitlines()[0].rstrip(".")}; a config '
                      'saved in a training work dir names the weights that '
                      'run used: pass WORK_DIR, or that config')
    return view, osp.basename(str(seg_cfg.get('config', '?')))


def thing_stuff_map(things: np.ndarray) -> np.ndarray:
    """``HxW`` thing mask -> ``HxWx3`` uint8 BGR thing/stuff colours."""
    return np.where(things[..., None], np.uint8(THING_COLOR),
                    np.uint8(STUFF_COLOR))


#: The grid's column captions.
CAPTIONS = ('sketch', 'colour', 'segmentation', 'thing / stuff')


def make_grid(sketch: np.ndarray,
              colour: np.ndarray,
              view: Optional[SegmentationView] = None) -> np.ndarray:
    """sketch | colour [| segmentation | thing/stuff, with a legend], each
    column captioned (:func:`~.annotate.captioned_row`).

    Args:
        sketch (np.ndarray): ``HxWx3`` uint8 BGR sketch.
        colour (np.ndarray): Its colorization, same size.
        view (SegmentationView, optional): Adds the segmentation columns.

    Returns:
        np.ndarray: The grid, uint8 BGR.
    """
    tiles = [sketch, colour]
    if view is not None:
        labels, things = view(colour)
        tiles += [colorize_labels(labels, view.palette),
                  thing_stuff_map(things)]
    row = captioned_row(tiles, CAPTIONS[:len(tiles)])
    if view is None:
        return row
    side = max(enlarge(colour).shape[:2])
    return np.concatenate(
        [row, legend(view.legend(labels), row.shape[1], side)], 0)


def grid_maker(cfg: Any, device: str = 'cpu', size: Optional[int] = None
               ) -> Tuple[Callable[[np.ndarray, np.ndarray], np.ndarray],
                          str]:
    """The grid function for a model, with segmentation when its config's
    segmenter weights are available, and a line saying what it shows.

    Args:
        cfg (Config, optional): The model's training config; None for an
            ONNX model.
        device (str): Device of the segmenter. Defaults to ``'cpu'``.
        size (int, optional): See :class:`SegmentationView`.

    Returns:
        tuple: ``(sketch, colour) -> grid`` and the note.
    """
    view, note = segmentation_view(cfg, device, size)
    if view is None:
        return make_grid, f'grids: sketch | colour (no segmentation: {note})'
    return partial(make_grid, view=view), (
        'grids: sketch | colour | segmentation | thing/stuff')

__all__ = [
    'SegmentationView', 'make_grid', 'grid_maker', 'segmentation_view',
    'segmenter_of', 'class_info', 'thing_stuff_map', 'THING_COLOR',
    'STUFF_COLOR', 'CAPTIONS'
]
