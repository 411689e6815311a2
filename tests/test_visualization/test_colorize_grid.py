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
    STUFF_COLOR,
    THING_COLOR,
    SegmentationView,
    class_info,
    grid_maker,
    make_grid,
    segmentation_view,
    segmenter_of,
)


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


def test_grid_with_segmentation_and_legend(tmp_path):
    view = SegmentationView(_segmenter_files(tmp_path))
    assert view.names == list(TOY_METAINFO['classes'])
    sketch_img, colour = image(48, 64), image(48, 64, seed=1)
    labels, things = view(colour)
    grid = make_grid(sketch_img, colour, view)
    assert grid.shape[1] == 4 * 64 and grid.shape[0] > 48  # + legend rows
    np.testing.assert_array_equal(grid[:48, :64], sketch_img)
    np.testing.assert_array_equal(grid[:48, 64:128], colour)
    palette = np.asarray(TOY_METAINFO['palette'], np.uint8)[:, ::-1]
    np.testing.assert_array_equal(grid[:48, 128:192], palette[labels])
    np.testing.assert_array_equal(things, labels < 3)
    expected = np.where(things[..., None], THING_COLOR, STUFF_COLOR)
    np.testing.assert_array_equal(grid[:48, 192:], expected)
    assert (grid[48:] != 255).any()  # the legend is drawn


def test_grid_maker_follows_the_config(tmp_path):
    cfg = Config(dict(model=dict(type='AdvSegPix2Pix')))
    grid, note = grid_maker(cfg)
    assert 'names no segmenter' in note
    assert grid(image(8, 8), image(8, 8)).shape == (8, 16, 3)
    seg = _segmenter_files(tmp_path)
    cfg.test_evaluator = dict(metrics=[dict(type='SegConsistency',
                                            segmenter=seg)])
    grid, note = grid_maker(cfg)
    assert 'segmentation | thing/stuff' in note
    assert grid(image(8, 8), image(8, 8)).shape[1] == 32
    view, name = segmentation_view(cfg)
    assert isinstance(view, SegmentationView) and name == 'seg.py'
    cfg.test_evaluator.metrics[0].segmenter.checkpoint = str(tmp_path / 'x')
    grid, note = grid_maker(cfg)
    assert 'no segmentation: panoptic segmenter checkpoint not found' in note
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
