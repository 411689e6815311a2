# Copyright (c) mmadvseg contributors. All rights reserved.
"""mmadvseg.toy.segmenter: the toy Mask2Former configs train with mmdet for a
few iterations, the checkpoint loads into the frozen segmenter, a matching
one is reused; tools/train_segmenter.py on top."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import pytest
import torch
from mmengine.config import Config

from mmadvseg.models.segmenters import FrozenPanopticSegmenter
from mmadvseg.testing import OracleSegmenter, image_key
from mmadvseg.toy import TOY_METAINFO, ToyScenes
from mmadvseg.toy.segmenter import (
    EVAL_CONFIG,
    GUIDE_CONFIG,
    JUDGE_CONFIG,
    build_segmenter_cfg,
    toy_segmentation_scores,
    train_toy_segmenter,
    weights_digest,
)
from mmadvseg.utils.config import repo_config

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


@pytest.fixture(scope='module')
def scenes(tmp_path_factory) -> ToyScenes:
    return ToyScenes(str(tmp_path_factory.mktemp('toy')), 6, 3, 64,
                     layouts=()).ensure()


@pytest.mark.parametrize('config', [GUIDE_CONFIG, EVAL_CONFIG])
def test_config_is_a_standalone_mmdet_config(config):
    cfg = Config.fromfile(repo_config(config))
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
    guide = Config.fromfile(repo_config(GUIDE_CONFIG))
    wide = Config.fromfile(repo_config(EVAL_CONFIG))
    assert wide.model.backbone.base_channels != \
        guide.model.backbone.base_channels
    assert wide.randomness.seed != guide.randomness.seed


def test_build_cfg_repoints_data_and_schedule(scenes, tmp_path):
    cfg = build_segmenter_cfg(GUIDE_CONFIG, scenes, str(tmp_path), iters=40,
                              batch_size=2, seed=3, num_workers=0)
    assert cfg.train_dataloader.dataset.data_root == scenes.root
    assert cfg.val_evaluator.ann_file == scenes.ann_file('test')
    assert cfg.train_cfg.max_iters == 40
    assert cfg.param_scheduler[-1]['end'] == 40
    assert cfg.train_dataloader.batch_size == 2
    assert cfg.randomness.seed == 3
    assert cfg.train_dataloader.persistent_workers is False


def test_scores_of_a_segmenter_on_real_photos(scenes):
    table = {}
    for name in scenes.names('test'):
        path = osp.join(scenes.img_dir('test'), f'{name}.png')
        bgr = torch.from_numpy(cv2.imread(path)).permute(2, 0, 1).float()
        table[image_key(bgr / 127.5 - 1)] = ToyScenes.read_labels(path)
    scores = toy_segmentation_scores(OracleSegmenter(table), scenes)
    assert scores['aAcc'] == pytest.approx(1.0)
    assert scores['num_images'] == 3
    sky = toy_segmentation_scores(OracleSegmenter(constant=3), scenes)
    assert sky['aAcc_binary'] < 1.0
    assert sky['aAcc_stuff'] > 0.0 and sky['aAcc_thing'] == 0.0


def test_train_load_and_reuse(scenes, tmp_path):
    work_dir = str(tmp_path / 'seg')
    ckpt = train_toy_segmenter(work_dir, scenes, iters=2, batch_size=2,
                               num_workers=0)
    assert ckpt == osp.join(work_dir, 'segmenter.pth')
    assert not [f for f in os.listdir(work_dir) if f.endswith('.partial')]
    state = torch.load(ckpt, map_location='cpu')
    assert any(k.startswith('backbone.') for k in state['state_dict'])
    assert any(k.startswith('panoptic_head.') for k in state['state_dict'])
    with open(osp.join(work_dir, 'segmenter.json')) as f:
        report = json.load(f)
    assert report['settings']['iters'] == 2
    assert report['settings']['scenes'] == json.loads(
        json.dumps(scenes.settings()))
    assert report['num_things_classes'] == 3
    assert 'PQ' in report['panoptic']
    assert 0.0 <= report['semantic']['aAcc'] <= 1.0
    assert report['semantic']['num_images'] == 3

    # loads strictly into the frozen segmenter, class counts from the config
    segmenter = FrozenPanopticSegmenter(config=repo_config(GUIDE_CONFIG),
                                        checkpoint=ckpt)
    assert (segmenter.num_things, segmenter.num_stuff) == (3, 3)
    image = torch.rand(1, 3, 64, 64, requires_grad=True) * 2 - 1
    maps = segmenter(image)
    assert maps.probs.shape == (1, 6, 64, 64)
    assert maps.binary.shape == (1, 2, 64, 64)

    # reused with the same settings, not retrained; retrained with others
    mtime = os.stat(ckpt).st_mtime_ns
    assert train_toy_segmenter(work_dir, scenes, iters=2, batch_size=2,
                               num_workers=0) == ckpt
    assert os.stat(ckpt).st_mtime_ns == mtime
    out = subprocess.run(
        [sys.executable, 'tools/train_segmenter.py', '--data-root',
         scenes.root, '--work-dir', work_dir, '--iters', '2',
         '--batch-size', '2', '--num-workers', '0'],
        cwd=REPO, capture_output=True, text=True, check=True)
    assert 'Reusing the toy segmenter' in out.stdout + out.stderr
    assert os.stat(ckpt).st_mtime_ns == mtime
    # an evaluation that was interrupted (no report) does not retrain
    os.remove(osp.join(work_dir, 'segmenter.json'))
    train_toy_segmenter(work_dir, scenes, iters=2, batch_size=2,
                        num_workers=0)
    assert os.stat(ckpt).st_mtime_ns == mtime
    with open(osp.join(work_dir, 'segmenter.json')) as f:
        assert 'PQ' in json.load(f)['panoptic']
    # the same settings train the same weights (a record of runs made
    # with them stays valid on another checkout); other settings, others
    digest = weights_digest(ckpt)
    again = train_toy_segmenter(str(tmp_path / 'again'), scenes, iters=2,
                                batch_size=2, num_workers=0, evaluate=False)
    assert weights_digest(again) == digest
    train_toy_segmenter(work_dir, scenes, iters=3, batch_size=2,
                        num_workers=0, evaluate=False)
    assert os.stat(ckpt).st_mtime_ns != mtime
    assert weights_digest(ckpt) != digest


@pytest.mark.parametrize('config', [GUIDE_CONFIG, JUDGE_CONFIG])
def test_test_samples_carry_what_the_heads_read(config, scenes, tmp_path):
    """Two-stage detectors' mask heads read the scale factor when they
    predict things: the toy test pipeline records it (1, no resizing)."""
    from mmdet.registry import DATASETS
    from mmengine.registry import DefaultScope
    cfg = build_segmenter_cfg(config, scenes, str(tmp_path))
    with DefaultScope.overwrite_default_scope('mmdet'):
        dataset = DATASETS.build(cfg.val_dataloader.dataset)
    sample = dataset[0]['data_samples']
    assert tuple(sample.scale_factor) == (1.0, 1.0)
    assert tuple(sample.img_shape) == (64, 64)


def test_a_recorded_segmenter_is_taken_by_a_fresh_work_dir(
        scenes, tmp_path, monkeypatch):
    """With a record folder (kept with the code), a trained segmenter is
    recorded once; a fresh work dir (another checkout) takes it instead of
    training, so a grid continued elsewhere keeps its segmenters; a record
    made with other settings is not taken."""
    import mmadvseg.toy.segmenter as segmenter_module
    record_dir = str(tmp_path / 'records')
    ckpt = train_toy_segmenter(str(tmp_path / 'first'), scenes, iters=2,
                               batch_size=2, num_workers=0,
                               record_dir=record_dir)
    recorded, = os.listdir(record_dir)
    assert recorded.startswith('mask2former_tiny_toy-')
    assert sorted(os.listdir(osp.join(record_dir, recorded))) == [
        'segmenter.json', 'segmenter.pth']
    digest = weights_digest(ckpt)

    def no_training(*args, **kwargs):
        raise AssertionError('trained although a recorded one matches')

    monkeypatch.setattr(segmenter_module, '_train', no_training)
    fresh = str(tmp_path / 'fresh')
    again = train_toy_segmenter(fresh, scenes, iters=2, batch_size=2,
                                num_workers=0, record_dir=record_dir)
    assert again == osp.join(fresh, 'segmenter.pth')
    assert weights_digest(again) == digest
    with open(osp.join(fresh, 'segmenter.json')) as f:
        assert 'aAcc' in json.load(f)['semantic']
    with pytest.raises(AssertionError, match='trained although'):
        train_toy_segmenter(str(tmp_path / 'other'), scenes, iters=3,
                            batch_size=2, num_workers=0,
                            record_dir=record_dir)
