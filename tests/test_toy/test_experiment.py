# Copyright (c) mmadvseg contributors. All rights reserved.
"""mmadvseg.toy.experiment end to end in a minimal setting (tiny data, 2
segmenter iterations, 1 seed, 2 GAN iterations, random FID Inception
weights), the results table, and tools/analysis/toy_benchmark.py."""
import json
import math
import os
import os.path as osp
import subprocess
import sys
from dataclasses import replace

import pytest

from mmadvseg.toy import ToyScenes
from mmadvseg.toy.experiment import (
    ToyExperiment,
    build_run_cfg,
    prepare_inception,
    run_experiment,
    run_name,
)
from mmadvseg.toy.results import aggregate, markdown_table, mean_std

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def _run(model, variant, seed, miou, kid, overrides=None):
    return dict(model=model, variant=variant, seed=seed, iters=2,
                batch_size=2, overrides=overrides or {}, train_time_s=1.0,
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
    assert mean_std([1.0, None, float('nan'), 3.0]) == (2.0, math.sqrt(2))


def test_inception_label_follows_the_file_used(tmp_path, monkeypatch):
    """Random weights of an offline run are replaced by a link to real ones
    when they appear, and never written through that link later."""
    from mmadvseg.evaluation.inception import FID_WEIGHTS_NAME
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'no_cache'))
    work_dir = str(tmp_path / 'bench')
    target = osp.join(work_dir, 'torch_home', 'hub', 'checkpoints',
                      FID_WEIGHTS_NAME)
    assert prepare_inception(work_dir, None)[1].startswith('RANDOM')
    real = tmp_path / 'real.pth'
    real.write_bytes(b'the real weights')
    assert prepare_inception(work_dir, str(real))[1].endswith(str(real))
    assert osp.realpath(target) == str(real)
    assert prepare_inception(work_dir, None)[1].startswith('RANDOM')
    assert not osp.islink(target)
    assert real.read_bytes() == b'the real weights'


def test_run_cfg_uses_the_guide_and_eval_segmenters(tmp_path):
    segs = dict(guide=dict(config='g.py', checkpoint='g.pth'),
                eval=dict(config='e.py', checkpoint='e.pth'))
    spec = dict(model='cyclegan', variant='binary', seed=3, iters=10,
                batch_size=4, data_root='/data', segmenters=segs,
                fid_cache=str(tmp_path / 'cache'),
                work_dir=str(tmp_path / 'run'),
                overrides={'model.adv_seg.loss_weights.binary': 10})
    cfg = build_run_cfg(spec)
    assert cfg.model.adv_seg.segmenter.checkpoint == 'g.pth'
    assert cfg.model.adv_seg.loss_weights.binary == 10
    seg_metrics = [m for m in cfg.val_evaluator.metrics if 'segmenter' in m]
    assert seg_metrics and all(m.segmenter.checkpoint == 'e.pth'
                               for m in seg_metrics)
    assert cfg.test_evaluator == cfg.val_evaluator
    assert cfg.train_dataloader.dataset.data_root == '/data/unpaired'
    assert cfg.train_cfg.max_iters == 10
    assert cfg.param_scheduler[0]['begin'] == 5
    assert cfg.randomness.seed == 3
    base = build_run_cfg(dict(spec, model='pix2pix', variant='baseline',
                              overrides={}))
    assert base.model.get('adv_seg') is None
    assert base.val_dataloader.dataset.data_root == '/data/paired'


def test_settings_validate_and_name_runs():
    with pytest.raises(ValueError, match='unknown models'):
        ToyExperiment(models=('unet', ))
    exp = ToyExperiment(work_dir='w', scenes=ToyScenes(color_mode='shared'),
                        overrides={'model.adv_seg.hard': True})
    assert exp.scenes.root == osp.abspath('w/data_shared')
    assert exp.runs_dir == osp.abspath('w/runs_shared')
    arms = exp.arms()
    assert ('pix2pix', 'baseline', {}) in arms  # baselines: no overrides
    assert ('cyclegan', 'both', {'model.adv_seg.hard': True}) in arms
    assert run_name('cyclegan', 'both', {'model.adv_seg.hard': True},
                    2) == 'cyclegan_both_hardTrue_seed2'


def test_end_to_end(tmp_path):
    exp = ToyExperiment(
        work_dir=str(tmp_path / 'bench'), models=('pix2pix', ),
        variants=('both', ), seeds=(0, ), iters=2, batch_size=2,
        scenes=ToyScenes(num_train=4, num_test=2), segmenter_iters=2)
    content = run_experiment(exp)
    assert content['info']['failed_runs'] == []
    assert len(content['runs']) == 1
    metrics = content['runs'][0]['metrics']
    for key in ('Toy/mIoU', 'Toy/aAcc', 'Toy/aAcc_binary', 'FID/kid',
                'Toy/L1', 'Toy/real_mIoU', 'SegCons/mIoU'):
        assert key in metrics, key
    assert 'time' not in metrics  # only metrics, not loop timings
    assert 'RANDOM-weight Inception' in content['info']['kid']
    assert content['runs'][0]['generator'].startswith('ResnetGenerator, 32')
    out = tmp_path / 'bench'
    with open(out / 'results.json') as f:
        assert json.load(f)['rows'][0]['variant'] == 'both'
    text = (out / 'results.md').read_text()
    assert '| pix2pix | both | 2 | 1 |' in text
    # finished runs are reused: nothing is trained again
    result = out / 'runs_distinct' / 'pix2pix_both_seed0' / 'result.json'
    mtime = os.stat(result).st_mtime_ns
    again = run_experiment(exp)
    assert again['runs'] == content['runs']
    assert os.stat(result).st_mtime_ns == mtime
    # collected without any training, by the tool (overrides parsed as
    # --cfg-options: None is None)
    proc = subprocess.run(
        [sys.executable, 'tools/analysis/toy_benchmark.py', '--work-dir',
         str(out), '--models', 'pix2pix', '--variants', 'both', '--seeds',
         '0', '--collect-only'],
        cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '| pix2pix | both | 2 | 1 |' in proc.stdout
    # a finished run of another schedule is trained again, never reused
    longer = run_experiment(replace(exp, iters=3))
    assert [run['iters'] for run in longer['runs']] == [3]


def test_tool_parses_overrides_like_cfg_options(tmp_path):
    """`--adv-seg-options model.adv_seg.condition=None` reaches the runs as
    None (mmengine's DictAction), seen in the run names it collects."""
    runs = tmp_path / 'runs_distinct'
    name = run_name('pix2pix', 'both', {'model.adv_seg.condition': None}, 0)
    (runs / name).mkdir(parents=True)
    done = _run('pix2pix', 'both', 0, 0.7, 0.01,
                overrides={'model.adv_seg.condition': None})
    (runs / name / 'result.json').write_text(json.dumps(done))
    proc = subprocess.run(
        [sys.executable, 'tools/analysis/toy_benchmark.py', '--work-dir',
         str(tmp_path), '--models', 'pix2pix', '--variants', 'both',
         '--seeds', '0', '--collect-only', '--adv-seg-options',
         'model.adv_seg.condition=None'],
        cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '| pix2pix | both (condition=None) | 2 | 1 | 0.700 |' in \
        proc.stdout
