# Copyright (c) mmadvseg contributors. All rights reserved.
"""The toy configs: what each leaf is, and the pipelines rebuilt from the
real datasets' named steps (not patched by list index)."""
import pytest
from mmengine.config import Config

from mmadvseg.utils.config import repo_config


@pytest.mark.parametrize('model', ['pix2pix', 'cyclegan'])
@pytest.mark.parametrize('variant',
                         ['baseline', 'multiclass', 'binary', 'both'])
def test_toy_configs(model, variant):
    cfg = Config.fromfile(repo_config(f'toy/{model}_{variant}_toy.py'))
    assert cfg.model.type == ('AdvSegPix2Pix'
                              if model == 'pix2pix' else 'AdvSegCycleGAN')
    adv_seg = cfg.model.get('adv_seg')
    if variant == 'baseline':
        assert adv_seg is None
    else:
        assert adv_seg.variant == variant
        assert adv_seg.segmenter.config.endswith(
            'toy/segmenters/mask2former_tiny_toy.py')
        assert adv_seg.segmenter.checkpoint == (
            'work_dirs/mask2former_tiny_toy/segmenter.pth')
    layout = 'paired' if model == 'pix2pix' else 'unpaired'
    assert cfg.train_dataloader.dataset.data_root == f'data/toy/{layout}'
    assert cfg.train_dataloader.batch_size == 4
    metrics = {m.prefix: m for m in cfg.val_evaluator.metrics}
    # the judges: another family (primary), a wider sibling, colour ranges;
    # the guide's own view is reported beside them
    assert metrics['Judge'].segmenter.type == 'PanopticJudge'
    assert metrics['Judge'].segmenter.config.endswith(
        'panoptic_fpn_tiny_toy.py')
    assert metrics['Toy'].segmenter.config.endswith(
        'mask2former_tiny-wide_toy.py')
    assert metrics['Guide'].segmenter.config.endswith(
        'mask2former_tiny_toy.py')
    assert metrics['Colour'].segmenter.type == 'ColourRangeJudge'
    assert metrics['JudgeFD'].type == 'FeatureFrechetDistance'
    assert metrics['FID'].type == 'AdvSegFIDKID'
    assert ('SegCons' in metrics) == (model == 'pix2pix')
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert cfg.model.generator.base_channels == 32


@pytest.mark.parametrize('layout', ['paired', 'unpaired'])
def test_toy_pipelines_keep_the_real_steps_at_toy_size(layout):
    real = Config.fromfile(
        repo_config(f'_base_/datasets/{layout}_sketch2photo.py'))
    toy = Config.fromfile(repo_config(f'toy/_base_/datasets/toy_{layout}.py'))
    for split in ('train', 'test'):
        real_steps = [s.type for s in real[f'{split}_pipeline']]
        toy_steps = [s.type for s in toy[f'{split}_pipeline']]
        if split == 'test':  # + the labels, for ToySemanticAccuracy
            toy_steps.remove('LoadToyLabels')
        assert toy_steps == real_steps
    for step in toy.train_pipeline:
        if step.type == 'Resize':
            assert tuple(step.scale) == (72, 72)
        if 'crop_size' in step:
            assert tuple(step.crop_size) == (64, 64)
    for step in real.train_pipeline:  # the real bases are untouched
        if step.type == 'Resize':
            assert tuple(step.scale) == (286, 286)
        if 'crop_size' in step:
            assert tuple(step.crop_size) == (256, 256)
    resize = [s for s in toy.test_pipeline if s.type == 'Resize'][0]
    assert tuple(resize.scale) == (64, 64)
