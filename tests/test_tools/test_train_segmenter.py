# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/train_segmenter.py: the toy Mask2Former config trains with mmdet for
a few iterations and its checkpoint loads into the frozen segmenter."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from mmadvseg.datasets.toy_scenes import TOY_METAINFO, generate_toy_scenes
from mmadvseg.models.segmenters import FrozenPanopticSegmenter

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
sys.path.insert(0, osp.join(REPO, 'tools'))
from train_segmenter import (  # noqa: E402
    DEFAULT_CONFIG,
    build_segmenter_cfg,
    train_toy_segmenter,
)

WIDE_CONFIG = osp.join(REPO, 'configs', 'segmenters',
                       'mask2former_tiny-wide_toy.py')


@pytest.fixture(scope='module')
def toy_root(tmp_path_factory) -> str:
    root = str(tmp_path_factory.mktemp('toy'))
    generate_toy_scenes(root, num_train=6, num_test=3, size=64, layouts=())
    return root


@pytest.mark.parametrize('config', [DEFAULT_CONFIG, WIDE_CONFIG])
def test_config_is_a_standalone_mmdet_config(config):
    cfg = Config.fromfile(config)
    assert cfg.default_scope == 'mmdet'
    assert 'custom_imports' not in cfg
    assert cfg.model.panoptic_head.num_things_classes == 3
    assert cfg.model.panoptic_head.num_stuff_classes == 3
    assert cfg.model.panoptic_fusion_head.num_things_classes == 3
    assert len(cfg.model.panoptic_head.loss_cls.class_weight) == 7
    meta = cfg.train_dataloader.dataset.metainfo
    for key in ('classes', 'thing_classes', 'stuff_classes'):
        assert tuple(meta[key]) == TOY_METAINFO[key]
    assert [tuple(c) for c in meta.palette] == [
        tuple(c) for c in TOY_METAINFO['palette']
    ]
    assert cfg.train_dataloader.dataset.type == 'CocoPanopticDataset'
    assert cfg.val_evaluator.type == 'CocoPanopticMetric'
    assert cfg.optim_wrapper.optimizer.lr == 1e-3


def test_wide_config_differs_from_the_guide():
    guide, wide = Config.fromfile(DEFAULT_CONFIG), Config.fromfile(WIDE_CONFIG)
    assert wide.model.backbone.base_channels != \
        guide.model.backbone.base_channels
    assert wide.randomness.seed != guide.randomness.seed


def test_build_cfg_repoints_data_and_schedule(toy_root, tmp_path):
    cfg = build_segmenter_cfg(DEFAULT_CONFIG, toy_root, str(tmp_path),
                              iters=40, batch_size=2, seed=3, num_workers=0)
    assert cfg.train_dataloader.dataset.data_root == toy_root
    assert cfg.val_evaluator.ann_file == osp.join(
        toy_root, 'annotations', 'panoptic_test.json')
    assert cfg.train_cfg.max_iters == 40
    assert cfg.param_scheduler[-1]['end'] == 40
    assert cfg.train_dataloader.batch_size == 2
    assert cfg.randomness.seed == 3
    assert cfg.train_dataloader.persistent_workers is False


def test_train_load_and_reuse(toy_root, tmp_path):
    work_dir = str(tmp_path / 'seg')
    ckpt = train_toy_segmenter(
        work_dir, data_root=toy_root, iters=2, batch_size=2, num_workers=0)
    assert ckpt == osp.join(work_dir, 'segmenter.pth')
    assert not osp.exists(ckpt + '.partial')
    state = torch.load(ckpt, map_location='cpu')
    assert any(k.startswith('backbone.') for k in state['state_dict'])
    assert any(k.startswith('panoptic_head.') for k in state['state_dict'])
    with open(osp.join(work_dir, 'segmenter.json')) as f:
        report = json.load(f)
    assert report['iters'] == 2
    assert report['num_things_classes'] == 3
    assert 'PQ' in report['panoptic']
    assert 0.0 <= report['semantic']['aAcc'] <= 1.0
    assert report['semantic']['num_images'] == 3

    # loads strictly into the frozen segmenter, class counts from the config
    segmenter = FrozenPanopticSegmenter(config=DEFAULT_CONFIG, checkpoint=ckpt)
    assert (segmenter.num_things, segmenter.num_stuff) == (3, 3)
    image = torch.rand(1, 3, 64, 64, requires_grad=True) * 2 - 1
    maps = segmenter(image)
    assert maps.probs.shape == (1, 6, 64, 64)
    assert maps.binary.shape == (1, 2, 64, 64)

    # reused, not retrained, unless forced
    mtime = os.stat(ckpt).st_mtime_ns
    assert train_toy_segmenter(work_dir, data_root=toy_root, iters=2) == ckpt
    assert os.stat(ckpt).st_mtime_ns == mtime
    out = subprocess.run(
        [sys.executable, 'tools/train_segmenter.py', '--data-root', toy_root,
         '--work-dir', work_dir, '--iters', '2'],
        cwd=REPO, capture_output=True, text=True, check=True)
    assert 'Reusing the toy segmenter' in out.stdout + out.stderr
    assert os.stat(ckpt).st_mtime_ns == mtime
