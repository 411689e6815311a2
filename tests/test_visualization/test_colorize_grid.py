# Copyright (c) mmadvseg contributors. All rights reserved.
"""The colorizer's grid view: segmentation columns and legend when the
segmenter weights are there, sketch | colour otherwise."""
import numpy as np
import torch
from mmagic.registry import MODELS
from mmengine.config import Config

from mmadvseg.testing import tiny_mask2former_cfg, tiny_segmenter_cfg
from mmadvseg.toy import TOY_METAINFO
from mmadvseg.visualization import (
    CAPTIONS,
    STUFF_COLOR,
    THING_COLOR,
    SegmentationView,
    class_info,
    grid_maker,
    make_grid,
    segmentation_view,
    segmenter_of,
)
from mmadvseg.visualization.annotate import captioned_row, legend


def image(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A random ``HxWx3`` uint8 BGR image."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3),
                                                np.uint8)


def _segmenter_files(tmp_path) -> dict:
    """A toy-class tiny Mask2Former config (with class names) and random
    weights."""
    config = str(tmp_path / 'seg.py')
    Config(dict(model=tiny_mask2former_cfg(3, 3),
                metainfo=TOY_METAINFO)).dump(config)
    torch.manual_seed(0)
    segmenter = MODELS.build(tiny_segmenter_cfg(3, 3))
    checkpoint = str(tmp_path / 'seg.pth')
    torch.save({'state_dict': segmenter.detector.state_dict()}, checkpoint)
    return dict(type='FrozenPanopticSegmenter', config=config,
                checkpoint=checkpoint)


def _find(grid: np.ndarray, tile: np.ndarray) -> tuple:
    """Where ``tile`` lies in ``grid`` (the first match), or None."""
    h, w = tile.shape[:2]
    for y in range(grid.shape[0] - h + 1):
        for x in range(grid.shape[1] - w + 1):
            if (grid[y, x] == tile[0, 0]).all() and \
                    (grid[y:y + h, x:x + w] == tile).all():
                return y, x
    return None


def test_grid_with_segmentation_captions_and_legend(tmp_path):
    view = SegmentationView(_segmenter_files(tmp_path))
    assert view.names == list(TOY_METAINFO['classes'])
    sketch_img, colour = image(48, 64), image(48, 64, seed=1)
    labels, things = view(colour)
    grid = make_grid(sketch_img, colour, view)
    # tiles under 128 px are enlarged by a whole factor (here 2), in order
    big = [np.repeat(np.repeat(t, 2, 0), 2, 1) for t in (
        sketch_img, colour,
        np.asarray(TOY_METAINFO['palette'], np.uint8)[:, ::-1][labels],
        np.where(things[..., None], THING_COLOR, STUFF_COLOR).astype(
            np.uint8))]
    where = [_find(grid[:, i * grid.shape[1] // 4:], tile)
             for i, tile in enumerate(big)]
    assert all(w is not None for w in where), where
    top = where[0][0]
    assert all(y == top for y, _ in where) and top > 5
    assert (grid[:top] < 128).any()  # the captions above
    np.testing.assert_array_equal(things, labels < 3)
    assert (grid[top + 96:] < 128).any()  # the legend below


def test_captions_and_legend_scale_with_the_image(tmp_path):
    ink = {}
    for side in (1, 256, 2048):
        img = image(side, side)
        row = captioned_row([img, img], CAPTIONS[:2])
        shown = max(side, 128)  # a 1-px tile is shown at 128 px
        assert row.shape[1] >= 2 * shown
        strip = row[:row.shape[0] - shown]
        ink[side] = int((strip < 128).any(axis=(1, 2)).sum())
        panel = legend([('elephant', (0, 0, 255)), ('sky', (255, 0, 0))],
                       row.shape[1], shown)
        # nothing cut off: white margins right and below
        assert (panel[:, -2:] == 255).all() and (panel[-2:] == 255).all()
        assert (panel < 128).any()
    # readable on a 1-px input, and 8x larger text on 2048 px than on 256
    assert ink[1] >= 8 and ink[2048] > 4 * ink[256]
    view = SegmentationView(_segmenter_files(tmp_path))
    grid = make_grid(image(1, 1), image(1, 1, seed=1), view)
    assert grid.shape[1] >= 4 * 128 and (grid[-8:, -2:] == 255).all()


def test_grid_maker_follows_the_config(tmp_path):
    cfg = Config(dict(model=dict(type='AdvSegPix2Pix')))
    grid, note = grid_maker(cfg)
    assert 'names no segmenter' in note
    assert grid(image(8, 8), image(8, 8)).shape[1] == 2 * 128
    seg = _segmenter_files(tmp_path)
    cfg.test_evaluator = dict(metrics=[dict(type='SegConsistency',
                                            segmenter=seg)])
    grid, note = grid_maker(cfg)
    assert 'segmentation | thing/stuff' in note
    assert grid(image(8, 8), image(8, 8)).shape[1] == 4 * 128
    view, name = segmentation_view(cfg)
    assert isinstance(view, SegmentationView) and name == 'seg.py'
    cfg.test_evaluator.metrics[0].segmenter.checkpoint = str(tmp_path / 'x')
    grid, note = grid_maker(cfg)
    assert 'no segmentation: panoptic segmenter checkpoint not found' in note
    assert 'pass WORK_DIR' in note
    _, note = grid_maker(None)
    assert 'ONNX' in note


def test_the_segmenter_of_a_config():
    seg = dict(type='FrozenPanopticSegmenter', config='s.py')
    judge = dict(type='PanopticJudge', config='j.py')
    cfg = Config(dict(model=dict(adv_seg=None), test_evaluator=dict(
        metrics=[dict(type='A', segmenter=judge),
                 dict(type='B', segmenter=seg)])))
    assert segmenter_of(cfg) == seg  # the one the grid can use
    cfg.model.adv_seg = dict(segmenter=dict(seg, config='guide.py'))
    assert segmenter_of(cfg)['config'] == 'guide.py'  # the guide first
    assert segmenter_of(Config(dict(model=dict()))) is None


def test_class_names_without_metainfo_are_numbered():
    names, palette = class_info(tiny_mask2former_cfg(2, 1), 3)
    assert names == ['class 0', 'class 1', 'class 2']
    assert palette.shape == (3, 3)
