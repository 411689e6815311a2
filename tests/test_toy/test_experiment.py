# Copyright (c) mmadvseg contributors. All rights reserved.
"""mmadvseg.toy.experiment end to end in a minimal setting (tiny data, 2
segmenter iterations, 1 seed, 2 GAN iterations, random FID Inception
weights), the results table, and tools/analysis/toy_benchmark.py."""
import glob
import json
import math
import os
import os.path as osp
import shutil
import subprocess
import sys
from dataclasses import replace

import cv2
import numpy as np
import pytest

from mmadvseg.apis import Colorizer
from mmadvseg.toy import ToyScenes
from mmadvseg.toy.demo import save_arm_grid
from mmadvseg.toy.experiment import (
    Arm,
    ToyExperiment,
    grid_arms,
    load_protocol,
    prepare_inception,
    run_experiment,
)
from mmadvseg.toy.results import (
    aggregate,
    markdown_table,
    mean_std,
    paired_differences,
    segmenter_weights_note,
    t_interval,
)
from mmadvseg.toy.run import build_run_cfg
from mmadvseg.utils.config import CONFIGS_DIR

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def _run(model, variant, seed, miou, kid, overrides=None):
    return dict(model=model, variant=variant, seed=seed, iters=2,
                batch_size=2, overrides=overrides or {}, train_time_s=1.0,
                total_time_s=2.0,
                metrics={'Judge/mIoU': miou, 'FID/kid': kid, 'Toy/L1': 0.1})


def test_aggregate_and_table():
    runs = [
        _run('cyclegan', 'both', 0, 0.5, 0.01),
        _run('pix2pix', 'both', 0, 0.4, 0.02),
        _run('pix2pix', 'both', 1, 0.6, 0.04),
        _run('pix2pix', 'baseline', 0, 0.3, 0.03),
    ]
    rows = aggregate(runs)
    assert [(r['model'], r['arm']) for r in rows] == [
        ('pix2pix', 'baseline'), ('pix2pix', 'both'), ('cyclegan', 'both')
    ]
    both = rows[1]
    assert both['n'] == 2 and both['seeds'] == [0, 1]
    assert both['Judge/mIoU_mean'] == pytest.approx(0.5)
    assert both['Judge/mIoU_std'] == pytest.approx(math.sqrt(0.02))
    assert math.isnan(rows[0]['Judge/mIoU_std'])  # one seed: no spread
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


def test_run_cfg_points_each_metric_at_its_segmenter(tmp_path):
    segs = {role: dict(config=f'{role}.py', checkpoint=f'{role}.pth')
            for role in ('guide', 'eval', 'judge')}
    spec = dict(model='cyclegan', variant='binary', seed=3, iters=10,
                batch_size=4, data_root='/data', segmenters=segs,
                fid_cache=str(tmp_path / 'cache'), color_mode='shared',
                work_dir=str(tmp_path / 'run'), grad_norm_interval=5,
                overrides={'model.adv_seg.loss_weights.binary': 10})
    cfg = build_run_cfg(spec)
    assert cfg.model.adv_seg.segmenter.checkpoint == 'guide.pth'
    assert cfg.model.adv_seg.loss_weights.binary == 10
    assert cfg.model.grad_norm_interval == 5
    metrics = {m.prefix: m for m in cfg.val_evaluator.metrics}
    # the judge is the other family, the guide never measures alone
    assert metrics['Judge'].segmenter.checkpoint == 'judge.pth'
    assert metrics['JudgeFD'].segmenter.checkpoint == 'judge.pth'
    assert metrics['Toy'].segmenter.checkpoint == 'eval.pth'
    assert metrics['Guide'].segmenter.checkpoint == 'guide.pth'
    assert 'Colour' not in metrics  # shared colours: no colour judge
    assert cfg.test_evaluator == cfg.val_evaluator
    assert cfg.train_dataloader.dataset.data_root == '/data/unpaired'
    assert cfg.train_cfg.max_iters == 10
    assert cfg.param_scheduler[0]['begin'] == 5
    assert cfg.randomness.seed == 3
    base = build_run_cfg(dict(spec, model='pix2pix', variant='baseline',
                              overrides={}, color_mode='distinct'))
    assert 'Colour' in {m.prefix for m in base.val_evaluator.metrics}
    assert base.model.get('adv_seg') is None
    assert base.val_dataloader.dataset.data_root == '/data/paired'
    # a second judge: the judge's semantic metric again, its own weights
    spec['segmenters'] = dict(segs, judge2=dict(config='judge2.py',
                                                checkpoint='judge2.pth'))
    metrics = {m.prefix: m for m in build_run_cfg(spec).val_evaluator.metrics}
    assert metrics['Judge2'].segmenter.checkpoint == 'judge2.pth'
    assert metrics['Judge2'].segmenter.config == 'judge2.py'
    assert metrics['Judge2'].type == metrics['Judge'].type
    assert metrics['JudgeFD'].segmenter.checkpoint == 'judge.pth'


def test_settings_validate_and_name_runs():
    with pytest.raises(ValueError, match='unknown arm'):
        Arm('unet', 'both')
    arms = grid_arms(overrides={'model.adv_seg.hard': True})
    assert Arm('pix2pix', 'baseline') in arms  # baselines: no overrides
    assert Arm('cyclegan', 'both', {'model.adv_seg.hard': True}) in arms
    assert Arm('cyclegan', 'both', {'model.adv_seg.hard': True}).run_name(
        2) == 'cyclegan_both_hardTrue_seed2'
    assert Arm('pix2pix', 'both', name='both-cond').run_name(0) == \
        'pix2pix_both-cond_seed0'
    # each model's arms are the leaves it has
    for model in ('pix2pix', 'cyclegan'):
        variants = {a.variant for a in arms if a.model == model}
        assert variants == {
            osp.basename(f)[len(model) + 1:-len('_toy.py')]
            for f in glob.glob(osp.join(CONFIGS_DIR, 'toy',
                                        f'{model}_*_toy.py'))}
    for model, variant in [('cyclegan', 'consistency'),
                           ('pix2pix', 'semcycle'), ('pix2pix', 'joint')]:
        with pytest.raises(ValueError, match='unknown arm'):
            Arm(model, variant)
    exp = ToyExperiment(work_dir='w', scenes=ToyScenes(color_mode='shared'))
    assert exp.scenes.root == osp.abspath('w/data_shared')
    assert exp.runs_dir == osp.abspath('w/runs_shared')
    assert exp.judge_scenes.seed == exp.scenes.seed + 1
    with pytest.raises(ValueError, match='another seed'):
        ToyExperiment(judge_scene_seed=0)


def test_judge_never_trains_on_the_guides_scenes(tmp_path):
    """The judge's training scenes are other scenes than every scene the
    guide and the GANs see (compared image by image)."""
    import hashlib
    exp = ToyExperiment(work_dir=str(tmp_path),
                        scenes=ToyScenes(num_train=30, num_test=10))
    guide, judge = exp.scenes.ensure(), exp.judge_scenes.ensure()

    def photos(scenes, split):
        return {hashlib.sha1(open(osp.join(scenes.img_dir(split), f'{n}.png'),
                                  'rb').read()).hexdigest()
                for n in scenes.names(split)}

    judged = photos(judge, 'train')
    assert len(judged) == 30
    assert not judged & photos(guide, 'train')
    assert not judged & photos(guide, 'test')


def test_paired_differences_and_intervals():
    runs = [_run('pix2pix', 'baseline', s, m, 0.0)
            for s, m in ((0, 0.40), (1, 0.50), (2, 0.45))]
    runs += [_run('pix2pix', 'both', s, m, 0.0)
             for s, m in ((0, 0.45), (1, 0.52), (2, 0.52), (3, 0.9))]
    runs += [_run('pix2pix', 'binary', 0, 0.3, 0.0)]
    rows = {r['arm']: r for r in paired_differences(runs)}
    both = rows['both']
    assert both['n'] == 3 and both['comparisons'] == 2  # seed 3: unpaired
    mean, low, high = both['Judge/mIoU']
    diffs = [0.05, 0.02, 0.07]
    assert mean == pytest.approx(sum(diffs) / 3)
    sd = math.sqrt(sum((d - mean)**2 for d in diffs) / 2)
    half = 4.302652729911275 * sd / math.sqrt(3)  # t(0.975, 2)
    assert (low, high) == pytest.approx((mean - half, mean + half))
    _, b_low, b_high = both['Judge/mIoU_bonferroni']  # 97.5 %, 2 tests
    assert b_low < low and b_high > high
    assert math.isnan(rows['binary']['Judge/mIoU'][1])  # one pair: no CI
    assert t_interval([1.0, 1.0, 1.0]) == (1.0, 1.0, 1.0)
    # the protocol's number of comparisons, finished or not, widens it
    six = {r['arm']: r for r in paired_differences(runs, comparisons=6)}
    assert six['both']['comparisons'] == 6
    assert six['both']['Judge/mIoU_bonferroni'][1] < b_low
    # a pair trained with other segmenter weights is not paired
    runs[1]['segmenter_weights'] = dict(guide='other')
    assert {r['arm']: r for r in paired_differences(runs)}['both']['n'] == 2


def test_runs_with_other_segmenter_weights_are_flagged():
    runs = [_run('pix2pix', 'baseline', s, 0.5, 0.0) for s in (0, 1)]
    for run in runs:
        run['segmenter_weights'] = dict(guide='aa', judge='bb')
    assert 'guide' in segmenter_weights_note(runs)
    assert 'WARNING' not in segmenter_weights_note(runs)
    runs[1]['segmenter_weights'] = dict(guide='aa', judge='cc')
    assert 'WARNING: the runs used 2 different' in segmenter_weights_note(
        runs)


def test_protocol_files_load(tmp_path):
    protocols = glob.glob(osp.join(CONFIGS_DIR, 'toy', 'protocols', '*.py'))
    assert protocols
    for path in protocols:
        exp = load_protocol(path, work_dir=str(tmp_path), jobs=2,
                            iters=dict(pix2pix=300, cyclegan=400))
        assert exp.jobs == 2 and exp.primary_metric.startswith(
            'Judge/mIoU')  # v2: the mean of the last validations
        assert exp.iters_of('cyclegan') == 400
        if osp.basename(path).startswith('evidence'):
            assert len(exp.seeds) == 5
        assert exp.results_name == 'results_' + osp.basename(path)[:-3]
        assert exp.record_dir == osp.join(osp.dirname(CONFIGS_DIR),
                                          'results', 'toy',
                                          osp.basename(path)[:-3])
        # one record of segmenters, shared by protocols of equal settings
        assert exp.segmenter_record_dir == osp.join(
            osp.dirname(CONFIGS_DIR), 'results', 'toy', 'segmenters')
        for model in {arm.model for arm in exp.arms}:
            assert any(arm.variant == 'baseline' for arm in exp.arms
                       if arm.model == model)
    # a schedule for one model only: the other's arms wait
    path = osp.join(CONFIGS_DIR, 'toy', 'protocols', 'evidence_distinct.py')
    exp = load_protocol(path, work_dir=str(tmp_path), iters=dict(pix2pix=300))
    assert {arm.model for arm in exp.arms} == {'pix2pix'}
    assert len(exp.arms) == 3
    with pytest.raises(ValueError, match='no schedule for every model'):
        load_protocol(path, work_dir=str(tmp_path), iters=300.5)


def test_end_to_end(tmp_path):
    exp = ToyExperiment(
        work_dir=str(tmp_path / 'bench'), arms=[Arm('pix2pix', 'both')],
        seeds=(0, ), iters=2, batch_size=2, grad_norm_interval=1,
        scenes=ToyScenes(num_train=4, num_test=2), segmenter_iters=2)
    content = run_experiment(exp)
    assert content['info']['failed_runs'] == []
    assert len(content['runs']) == 1
    metrics = content['runs'][0]['metrics']
    for key in ('Judge/mIoU', 'Colour/mIoU', 'Guide/mIoU', 'Toy/mIoU',
                'Toy/aAcc', 'Toy/aAcc_binary', 'FID/kid', 'JudgeFD/fd',
                'Toy/L1', 'Toy/real_mIoU', 'SegCons/mIoU', 'Judge/void'):
        assert key in metrics, key
    run = content['runs'][0]
    assert run['curves']['Judge/mIoU'][-1] == [2, metrics['Judge/mIoU']]
    diagnostics = run['diagnostics']
    for key in ('advseg_multiclass_d_real_logit', 'advseg_guide_entropy_fake',
                'advseg_guide_maxprob_real', 'gradnorm_loss_pixel',
                'gradnorm_loss_advseg_binary_g'):
        assert key in diagnostics, key
    assert 'time' not in metrics  # only metrics, not loop timings
    assert 'RANDOM-weight Inception' in content['info']['kid']
    assert content['runs'][0]['generator'].startswith('ResnetGenerator, 32')
    out = tmp_path / 'bench'
    with open(out / 'results.json') as f:
        assert json.load(f)['rows'][0]['variant'] == 'both'
    text = (out / 'results.md').read_text()
    assert '| pix2pix | both | 2 | 1 |' in text
    assert 'Diagnostics at the end of training' in text
    # finished runs are reused: nothing is trained again
    result = out / 'runs_distinct' / 'pix2pix_both_seed0' / 'result.json'
    mtime = os.stat(result).st_mtime_ns
    again = run_experiment(exp)
    assert again['runs'] == content['runs']
    assert os.stat(result).st_mtime_ns == mtime
    # killed after its last checkpoint, before its result: continued from
    # the checkpoint (not trained again), to the same metrics and curves
    os.remove(result)
    resumed = run_experiment(exp)['runs'][0]
    for key in ('metrics', 'curves'):
        assert resumed[key] == run[key], key
    log = (result.parent / 'run.log').read_text()
    assert 'Load checkpoint from' in log and 'resumed epoch: 0, iter: 2' in log
    # collected without any training, by the tool (overrides parsed as
    # --cfg-options: None is None), with the arms' pictures of seed 0:
    # sketch | the run's colorization (as the Colorizer makes it) | real
    proc = subprocess.run(
        [sys.executable, 'tools/analysis/toy_benchmark.py', '--work-dir',
         str(out), '--models', 'pix2pix', '--variants', 'both', '--seeds',
         '0', '--collect-only', '--grid-seed', '0'],
        cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '| pix2pix | both | 2 | 1 |' in proc.stdout
    grid = cv2.imread(str(out / 'grid_seed0.png'))
    size = exp.scenes.size * 2  # 64-pixel tiles enlarged to 128
    top = grid.shape[0] - exp.scenes.num_test * size
    assert grid.shape[1] == 3 * size and top > 8
    sketch, real = np.hsplit(cv2.imread(sorted(glob.glob(str(
        out / 'data_distinct' / 'paired' / 'test' / '*.png')))[0]), 2)
    fake = Colorizer(str(result.parent))([sketch], seed=0,
                                         show_progress=False)['predictions']
    row = grid[top:top + size:2, ::2]  # the first test scene, 64 px
    np.testing.assert_array_equal(row[:, :size // 2], sketch)
    np.testing.assert_array_equal(row[:, size // 2:size], fake[0])
    np.testing.assert_array_equal(row[:, size:], real)
    # a record kept with the code: the grid goes on from a fresh checkout
    # (no runs folder) without training, and is collected from it
    recorded = replace(exp, record_dir=str(tmp_path / 'records'))
    run_experiment(recorded)
    record = tmp_path / 'records' / 'pix2pix_both_seed0.json'
    assert json.loads(record.read_text()) == resumed
    assert set(resumed['segmenter_weights']) == {'guide', 'eval', 'judge'}
    shutil.rmtree(out / 'runs_distinct')
    with pytest.raises(FileNotFoundError, match='has no checkpoint: train'):
        save_arm_grid(exp, 0)  # a record keeps no weights to draw with
    assert run_experiment(recorded)['runs'] == [resumed]
    assert not (out / 'runs_distinct' / 'pix2pix_both_seed0').exists()
    assert run_experiment(replace(recorded, collect_only=True))['runs'] == [
        resumed]
    # the arms of a seed pair only with the same segmenter weights: a run
    # recorded with others (another CPU) is kept while its seed is
    # complete, trained again when its seed gains an arm to train
    data = json.loads(record.read_text())
    data['segmenter_weights']['guide'] = '0' * 16
    record.write_text(json.dumps(data))
    assert run_experiment(recorded)['runs'] == [data]
    two = replace(recorded,
                  arms=[Arm('pix2pix', 'both'), Arm('pix2pix', 'baseline')])
    runs = run_experiment(two)['runs']
    assert len(runs) == 2 and all(
        r['segmenter_weights'] == resumed['segmenter_weights'] for r in runs)
    # a finished run of another schedule is trained again, never reused
    longer = run_experiment(replace(exp, iters=3))
    assert [run['iters'] for run in longer['runs']] == [3]


def test_tool_parses_overrides_like_cfg_options(tmp_path):
    """`--adv-seg-options model.adv_seg.condition=None` reaches the runs as
    None (mmengine's DictAction), seen in the run names it collects."""
    runs = tmp_path / 'runs_distinct'
    name = Arm('pix2pix', 'both',
               {'model.adv_seg.condition': None}).run_name(0)
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
    assert '| pix2pix | both_conditionNone | 2 | 1 | 0.700 |' in \
        proc.stdout
