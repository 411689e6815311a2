# Copyright (c) mmadvseg contributors. All rights reserved.
"""Every config loads, builds, and says in its file name what it is."""
import glob
import os.path as osp

import pytest
from mmagic.registry import MODELS
from mmengine.config import Config

from mmadvseg.testing import tiny_segmenter_cfg

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs')
DATASETS = ('bedroom', 'illustration', 'elephant', 'sheep')
LEAVES = sorted(
    glob.glob(osp.join(CONFIG_DIR, 'advseg', '*.py')) +
    glob.glob(osp.join(CONFIG_DIR, 'baselines', '*.py')))


def test_all_leaves_exist():
    names = {osp.basename(p)[:-3] for p in LEAVES}
    for dataset in DATASETS:
        for model in ('pix2pix', 'cyclegan'):
            assert f'{model}_{dataset}' in names
            for variant in ('multiclass', 'binary', 'both'):
                assert f'{model}_{variant}_{dataset}' in names
        # the non-adversarial control, paired data only
        assert f'pix2pix_consistency_{dataset}' in names


@pytest.mark.parametrize('path', LEAVES, ids=lambda p: osp.basename(p))
def test_leaf_config_matches_its_name(path):
    cfg = Config.fromfile(path)
    parts = osp.basename(path)[:-3].split('_')
    model_name, dataset = parts[0], parts[-1]
    variant = parts[1] if len(parts) == 3 else None
    paired = model_name == 'pix2pix'

    assert cfg.default_scope == 'mmagic'
    assert cfg.model.type == ('AdvSegPix2Pix' if paired else 'AdvSegCycleGAN')
    adv_seg = cfg.model.get('adv_seg')
    if variant is None:
        assert adv_seg is None
    else:
        assert adv_seg.variant == variant
        assert adv_seg.segmenter.type == 'FrozenPanopticSegmenter'
        assert adv_seg.loss.gan_type == ('vanilla' if paired else 'lsgan')
        assert dict(adv_seg.loss_weights) == dict(multiclass=1.0, binary=1.0)
        # the reference CycleGAN pools fake maps; its Pix2Pix does not
        assert adv_seg.get('buffer_size', 0) == (0 if paired else 50)
    layout = 'paired' if paired else 'unpaired'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset_cfg = cfg[loader].dataset
        assert dataset_cfg.data_root == f'data/advseg/{dataset}/{layout}'
        assert dataset_cfg.type == ('PairedImageDataset'
                                    if paired else 'UnpairedImageDataset')
    assert cfg.train_dataloader.batch_size == 1
    assert cfg.train_cfg.max_epochs == 200

    if adv_seg is not None:
        cfg.model.adv_seg.segmenter = tiny_segmenter_cfg()
    model = MODELS.build(cfg.model)
    seg_discs = sorted(k for k in model.discriminators if 'advseg' in k)
    expected = {
        None: [],
        'multiclass': ['advseg_multiclass'],
        'binary': ['advseg_binary'],
        'both': ['advseg_binary', 'advseg_multiclass'],
        'consistency': [],
    }[variant]
    assert seg_discs == expected
    assert (model.adv_seg_consistency is not None) == (
        variant == 'consistency')


def test_schedule_decays_linearly_to_zero_after_100_epochs():
    cfg = Config.fromfile(
        osp.join(CONFIG_DIR, '_base_', 'schedules',
                 'adam_lr2e-4_100e-const_100e-decay.py'))
    for name in ('generators', 'discriminators'):
        optimizer = cfg.optim_wrapper[name].optimizer
        assert (optimizer.type, optimizer.lr) == ('Adam', 2e-4)
        assert tuple(optimizer.betas) == (0.5, 0.999)
    decay, = cfg.param_scheduler
    assert (decay.begin, decay.end, decay.end_factor) == (100, 200, 0.0)
    assert decay.by_epoch and decay.convert_to_iter_based


CYCLEGAN_CONFIGS = sorted(
    glob.glob(osp.join(CONFIG_DIR, 'advseg', 'cyclegan_*.py')) +
    glob.glob(osp.join(CONFIG_DIR, 'baselines', 'cyclegan_*.py')) +
    glob.glob(osp.join(CONFIG_DIR, 'toy', 'cyclegan_*.py')))


@pytest.mark.parametrize(
    'path', CYCLEGAN_CONFIGS, ids=lambda p: osp.relpath(p, CONFIG_DIR))
def test_cyclegan_loss_weights_are_the_reference_ones(path):
    """Effective weights of every CycleGAN config, measured on the loss
    mmagic computes: cycle 10 x L1 and identity 5 x L1 (the reference's
    lambda_identity 0.5 times lambda 10; mmagic applies id_loss_weight as
    an absolute weight)."""
    import torch
    import torch.nn.functional as F

    from mmadvseg.testing import tiny_translation_cfg
    cfg = Config.fromfile(path)
    # 4 baselines, 4 datasets x 3 variants, 6 toy arms
    assert len(CYCLEGAN_CONFIGS) == 4 + 4 * 3 + 6
    model_cfg = tiny_translation_cfg('AdvSegCycleGAN')
    model_cfg['loss_config'] = cfg.model.loss_config.to_dict()
    model = MODELS.build(model_cfg)
    torch.manual_seed(0)
    outputs = {}
    for domain in ('photo', 'sketch'):
        outputs[f'real_{domain}'] = torch.rand(1, 3, 32, 32) * 2 - 1
        outputs[f'fake_{domain}'] = torch.rand(1, 3, 32, 32) * 2 - 1
        outputs[f'cycle_{domain}'] = torch.rand(1, 3, 32, 32) * 2 - 1
    _, log_vars = model._get_gen_loss(dict(outputs))
    with torch.no_grad():
        cycle_l1 = sum(
            F.l1_loss(outputs[f'cycle_{d}'], outputs[f'real_{d}']).item()
            for d in ('photo', 'sketch'))
        id_l1 = sum(
            F.l1_loss(model.generators[d](outputs[f'real_{d}']),
                      outputs[f'real_{d}']).item()
            for d in ('photo', 'sketch'))
    assert float(log_vars['cycle_loss']) / cycle_l1 == pytest.approx(10.0)
    assert float(log_vars['id_loss']) / id_l1 == pytest.approx(5.0)
