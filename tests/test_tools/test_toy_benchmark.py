# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/analysis/toy_benchmark.py: the experiment end to end in a minimal
setting (tiny data, 2 segmenter iterations, 1 seed, 2 GAN iterations,
random FID Inception weights), and the results table."""
import json
import math
import os.path as osp
import sys

import pytest

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))
from toy_benchmark import (  # noqa: E402
    _ensure_inception,
    aggregate,
    build_run_cfg,
    markdown_table,
    run_toy_benchmark,
)


def _run(model, variant, seed, miou, kid):
    return dict(model=model, variant=variant, seed=seed, iters=2,
                batch_size=2, overrides={}, train_time_s=1.0,
                total_time_s=2.0,
                metrics={'Toy/mIoU': miou, 'FID/kid': kid, 'Toy/L1': 0.1})


def test_aggregate_and_table():
    runs = [
        _run('cyclegan', 'both', 0, 0.5, 0.01),
        _run('pix2pix', 'both', 0, 0.4, 0.02),
        _run('pix2pix', 'both', 1, 0.6, 0.04),
        _run('pix2pix', 'baseline', 0, 0.3, 0.03),
    ]
    rows = aggregate(runs)
    assert [(r['model'], r['variant']) for r in rows] == [
        ('pix2pix', 'baseline'), ('pix2pix', 'both'), ('cyclegan', 'both')
    ]
    both = rows[1]
    assert both['n'] == 2 and both['seeds'] == [0, 1]
    assert both['Toy/mIoU_mean'] == pytest.approx(0.5)
    assert both['Toy/mIoU_std'] == pytest.approx(math.sqrt(0.02))
    assert math.isnan(rows[0]['Toy/mIoU_std'])  # one seed: no spread
    table = markdown_table(rows)
    assert '| pix2pix | both | 2 | 2 | 0.500 ± 0.141 |' in table
    assert '30.00 ± 14.14' in table  # KID x 1e3
    assert 'n/a' in table  # metrics a run does not have


def test_inception_label_follows_the_file_used(tmp_path, monkeypatch):
    """Random weights of an offline run are replaced by a link to real ones
    when they appear, and never written through that link later."""
    from mmadvseg.evaluation.inception import FID_WEIGHTS_NAME
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'no_cache'))
    work_dir = str(tmp_path / 'bench')
    target = osp.join(work_dir, 'torch_home', 'hub', 'checkpoints',
                      FID_WEIGHTS_NAME)
    assert _ensure_inception(work_dir, None)[1].startswith('RANDOM')
    real = tmp_path / 'real.pth'
    real.write_bytes(b'the real weights')
    assert _ensure_inception(work_dir, str(real))[1].endswith(str(real))
    assert osp.realpath(target) == str(real)
    assert _ensure_inception(work_dir, None)[1].startswith('RANDOM')
    assert not osp.islink(target)
    assert real.read_bytes() == b'the real weights'


def test_run_cfg_uses_the_guide_and_eval_segmenters(tmp_path):
    segs = dict(guide=dict(config='g.py', checkpoint='g.pth'),
                eval=dict(config='e.py', checkpoint='e.pth'))
    cfg = build_run_cfg('cyclegan', 'binary', 3, '/data', segs,
                        str(tmp_path / 'run'), iters=10,
                        overrides={'model.adv_seg.loss_weights.binary': 10})
    assert cfg.model.adv_seg.segmenter.checkpoint == 'g.pth'
    assert cfg.model.adv_seg.loss_weights.binary == 10
    seg_metrics = [m for m in cfg.val_evaluator.metrics if 'segmenter' in m]
    assert seg_metrics and all(m.segmenter.checkpoint == 'e.pth'
                               for m in seg_metrics)
    assert cfg.train_dataloader.dataset.data_root == '/data/unpaired'
    assert cfg.train_cfg.max_iters == 10
    assert cfg.param_scheduler[0]['begin'] == 5
    assert cfg.randomness.seed == 3
    base = build_run_cfg('pix2pix', 'baseline', 0, '/data', segs,
                         str(tmp_path / 'base'), iters=10)
    assert base.model.get('adv_seg') is None
    assert base.val_dataloader.dataset.data_root == '/data/paired'


def test_end_to_end(tmp_path):
    content = run_toy_benchmark(
        work_dir=str(tmp_path / 'bench'),
        models=('pix2pix', ),
        variants=('both', ),
        seeds=(0, ),
        iters=2,
        batch_size=2,
        num_train=4,
        num_test=2,
        segmenter_iters=2)
    assert content['info']['failed_runs'] == []
    assert len(content['runs']) == 1
    metrics = content['runs'][0]['metrics']
    for key in ('Toy/mIoU', 'Toy/aAcc', 'Toy/aAcc_binary', 'FID/kid',
                'Toy/L1', 'Toy/real_mIoU', 'SegCons/mIoU'):
        assert key in metrics, key
    assert 'time' not in metrics  # only metrics, not loop timings
    assert 'RANDOM-weight Inception' in content['info']['kid']
    out = tmp_path / 'bench'
    with open(out / 'results.json') as f:
        assert json.load(f)['rows'][0]['variant'] == 'both'
    text = (out / 'results.md').read_text()
    assert '| pix2pix | both | 2 | 1 |' in text
    # finished runs are reused: nothing is trained again
    again = run_toy_benchmark(
        work_dir=str(out), models=('pix2pix', ), variants=('both', ),
        seeds=(0, ), iters=2, batch_size=2, num_train=4, num_test=2,
        segmenter_iters=2, collect_only=True)
    assert again['runs'] == content['runs']
    # a finished run of another schedule is trained again, never reused
    longer = run_toy_benchmark(
        work_dir=str(out), models=('pix2pix', ), variants=('both', ),
        seeds=(0, ), iters=3, batch_size=2, num_train=4, num_test=2,
        segmenter_iters=2)
    assert [run['iters'] for run in longer['runs']] == [3]


@pytest.mark.parametrize('model', ['pix2pix', 'cyclegan'])
@pytest.mark.parametrize('variant',
                         ['baseline', 'multiclass', 'binary', 'both'])
def test_toy_configs(model, variant):
    from mmengine.config import Config
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'toy', f'{model}_{variant}_toy.py'))
    assert cfg.model.type == ('AdvSegPix2Pix'
                              if model == 'pix2pix' else 'AdvSegCycleGAN')
    adv_seg = cfg.model.get('adv_seg')
    if variant == 'baseline':
        assert adv_seg is None
    else:
        assert adv_seg.variant == variant
        assert adv_seg.segmenter.config.endswith('mask2former_tiny_toy.py')
        assert adv_seg.segmenter.checkpoint == (
            'work_dirs/mask2former_tiny_toy/segmenter.pth')
    layout = 'paired' if model == 'pix2pix' else 'unpaired'
    assert cfg.train_dataloader.dataset.data_root == f'data/toy/{layout}'
    metrics = {m.type: m for m in cfg.val_evaluator.metrics}
    toy = metrics['ToySemanticAccuracy']
    # evaluated by the independent segmenter, never the guide
    assert toy.segmenter.config.endswith('mask2former_tiny-wide_toy.py')
    assert 'AdvSegFIDKID' in metrics
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert cfg.model.generator.base_channels == 32
