# Copyright (c) mmadvseg contributors. All rights reserved.
"""The metrics inside mmagic's MultiValLoop, run by an mmengine Runner, for
AdvSegPix2Pix and AdvSegCycleGAN."""
import math
import os

import numpy as np
import pytest
from mmengine.hooks import Hook

from mmadvseg.testing import (
    dataset_cfg,
    tiny_segmenter_cfg,
    tiny_translation_cfg,
)


class _KeepMetrics(Hook):

    def __init__(self):
        self.metrics = []

    def after_val_epoch(self, runner, metrics=None):
        self.metrics.append(metrics)


def _run_val(model_type: str, data_root: str, work_dir: str,
             inception_weights: str, cache_dir: str) -> tuple:
    from mmengine.runner import Runner
    paired = model_type == 'AdvSegPix2Pix'
    hook = _KeepMetrics()
    runner = Runner(
        model=tiny_translation_cfg(model_type),
        work_dir=work_dir,
        val_dataloader=dict(
            batch_size=2,
            num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dataset_cfg(data_root, paired, test_mode=True)),
        val_cfg=dict(type='MultiValLoop'),
        val_evaluator=dict(
            type='Evaluator',
            metrics=[
                dict(
                    type='AdvSegFIDKID',
                    fake_key='fake_photo',
                    real_key='img_photo',
                    inception_path=inception_weights,
                    cache_dir=cache_dir,
                    kid_subsets=5,
                    prefix='photo'),
                dict(
                    type='SegConsistency',
                    segmenter=tiny_segmenter_cfg(num_things=3, num_stuff=2),
                    fake_key='fake_photo',
                    real_key='img_photo',
                    prefix='photo'),
            ]),
        custom_hooks=[hook],
        default_scope='mmagic',
        randomness=dict(seed=0),
        log_level='WARNING')
    runner.val()
    fid_metric = runner.val_loop.evaluators[0].metrics[0]
    return hook.metrics[0], fid_metric


@pytest.mark.parametrize('model_type', ['AdvSegPix2Pix', 'AdvSegCycleGAN'])
def test_metrics_in_multi_val_loop(model_type, paired_root, unpaired_root,
                                   inception_weights, tmp_path):
    root = paired_root if model_type == 'AdvSegPix2Pix' else unpaired_root
    cache_dir = str(tmp_path / 'fid_cache')
    metrics, fid_metric = _run_val(model_type, root, str(tmp_path / 'w1'),
                                   inception_weights, cache_dir)
    assert metrics['photo/num_fake'] == 2  # every val item, no fake_nums
    assert metrics['photo/num_real'] == 2
    assert math.isfinite(metrics['photo/fid']) and metrics['photo/fid'] >= 0
    assert math.isfinite(metrics['photo/kid'])
    assert math.isfinite(metrics['photo/kid_std'])
    assert metrics['photo/num_images'] == 2
    for key in ('mIoU', 'aAcc', 'aAcc_thing', 'mIoU_binary', 'aAcc_binary'):
        value = metrics[f'photo/{key}']
        assert math.isnan(value) or 0 <= value <= 1, key
    assert fid_metric.size == 2
    # the real-image features were cached on disk ...
    assert os.listdir(cache_dir) == [os.path.basename(fid_metric.cache_file)]
    if model_type != 'AdvSegPix2Pix':
        return  # the cache logic does not depend on the model: check it once
    # ... and the next run (same data, same settings) takes them from there:
    # tag the cache with a third row to see it come back
    with np.load(fid_metric.cache_file) as data:
        feats, meta = data['features'], data['meta']
    assert feats.shape == (2, 2048)
    np.savez(fid_metric.cache_file, features=np.concatenate(
        [feats, feats[:1] + 1]), meta=meta)
    metrics2, fid_metric2 = _run_val(model_type, root, str(tmp_path / 'w2'),
                                     inception_weights, cache_dir)
    assert fid_metric2.cache_file == fid_metric.cache_file
    assert metrics2['photo/num_real'] == 3
    assert metrics2['photo/num_fake'] == 2
