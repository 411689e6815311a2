# Copyright (c) mmadvseg contributors. All rights reserved.
"""A toy run trains through ``tools/train.py``'s path
(:func:`mmadvseg.engine.runs.train`): its work dir is locked while it runs,
a killed run resumes bit for bit, and an experiment's work dir takes one
experiment at a time."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
from dataclasses import replace

import pytest
import torch

import mmadvseg.testing.crash_hook  # noqa: F401  (registers CrashAfterIter)
from mmadvseg.engine.runs import train
from mmadvseg.toy import ToyScenes
from mmadvseg.toy.experiment import run_experiment, run_spec
from mmadvseg.toy.prepare import prepare_inception, prepare_segmenters
from mmadvseg.toy.protocol import Arm, ToyExperiment
from mmadvseg.toy.run import SPEC_NAME, build_run_cfg, run_single
from mmadvseg.utils.fileio import FolderLockedError

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
#: Holds a folder's lock (as a running experiment or run would) until
#: stdin closes.
HOLD_LOCK = ('import sys; from mmadvseg.utils.fileio import lock_folder; '
             'lock_folder(sys.argv[1], "toy experiment"); print("locked", '
             'flush=True); sys.stdin.read()')


@pytest.fixture(scope='module')
def toy_exp(tmp_path_factory):
    """A tiny experiment whose scenes, segmenters and Inception weights are
    made (2 segmenter iterations each)."""
    exp = ToyExperiment(
        work_dir=str(tmp_path_factory.mktemp('toy_run')),
        arms=[Arm('pix2pix', 'both')], seeds=(0, ), iters=4, batch_size=2,
        val_interval=2, grad_norm_interval=0, segmenter_iters=2,
        scenes=ToyScenes(num_train=4, num_test=2))
    segmenters = prepare_segmenters(exp)
    torch_home, _ = prepare_inception(exp.work_dir, None)
    return exp, segmenters, torch_home


def _spec(exp, segmenters, name: str) -> dict:
    spec = run_spec(exp, exp.arms[0], 0, segmenters)
    spec['work_dir'] = osp.join(exp.work_dir, name)
    os.makedirs(spec['work_dir'])
    with open(osp.join(spec['work_dir'], SPEC_NAME), 'w') as f:
        json.dump(spec, f)
    return spec


def _hold_lock(folder: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, '-c', HOLD_LOCK, folder],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=REPO)
    assert proc.stdout.readline().strip() == 'locked'
    return proc


def test_killed_toy_run_resumes_bit_identical(toy_exp, monkeypatch):
    """Killed after iteration 3 of 4 (checkpoint at 2), then run again as
    the experiment runs it: the weights, optimizer states and metrics equal
    an uninterrupted run's."""
    exp, segmenters, torch_home = toy_exp
    monkeypatch.setenv('TORCH_HOME', torch_home)
    full = run_single(_spec(exp, segmenters, 'full')['work_dir'])
    spec = _spec(exp, segmenters, 'killed')
    cfg = build_run_cfg(spec)
    cfg.experiment_name = 'killed_before_the_end'  # its own message hub
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='CrashAfterIter', at=3)
    ]
    with pytest.raises(KeyboardInterrupt):
        train(cfg)
    with open(osp.join(spec['work_dir'], 'last_checkpoint')) as f:
        assert osp.basename(f.read()) == 'iter_2.pth'
    resumed = run_single(spec['work_dir'])
    for key in ('metrics', 'curves'):  # as JSON: NaN equals NaN
        assert json.dumps(resumed[key], sort_keys=True) == json.dumps(
            full[key], sort_keys=True), key
    a, b = (torch.load(osp.join(exp.work_dir, name, 'iter_4.pth'),
                       map_location='cpu') for name in ('full', 'killed'))
    for key in ('state_dict', 'optimizer'):
        flat_a, flat_b = _flatten(a[key]), _flatten(b[key])
        assert flat_a.keys() == flat_b.keys()
        differ = [k for k in flat_a if not torch.equal(flat_a[k], flat_b[k])]
        assert not differ, f'{key}: {len(differ)} differ, e.g. {differ[:3]}'


def _flatten(tree, prefix: str = '') -> dict:
    """The tensors of a nested dict/list, by path."""
    if isinstance(tree, torch.Tensor):
        return {prefix: tree}
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) \
        if isinstance(tree, (list, tuple)) else ()
    out = {}
    for key, value in items:
        out.update(_flatten(value, f'{prefix}.{key}'))
    return out


def test_a_checkpoint_scores_the_same_twice(toy_exp, tmp_path, monkeypatch):
    """Evaluation is deterministic (``SeededEvalHook``: fixed dropout masks
    per test iteration): ``tools/test.py``'s function gives the toy run's
    checkpoint identical metrics twice."""
    from mmadvseg.engine.runs import test
    exp, segmenters, torch_home = toy_exp
    monkeypatch.setenv('TORCH_HOME', torch_home)
    spec = _spec(exp, segmenters, 'scored')
    run_single(spec['work_dir'])
    config, = glob.glob(osp.join(spec['work_dir'], '*.py'))
    scores = []
    for name in ('first', 'second'):
        test(config, osp.join(spec['work_dir'], 'iter_4.pth'),
             work_dir=str(tmp_path / name))
        with open(tmp_path / name / 'metrics.json') as f:
            scores.append(json.dumps(json.load(f)['metrics'],
                                     sort_keys=True))
    assert scores[0] == scores[1]
    assert 'Judge/mIoU' in scores[0]


def test_toy_run_and_experiment_take_the_work_dir_lock(toy_exp):
    """A toy run whose folder another process holds stops naming that
    process; so does a second experiment in the same work dir (two
    ``make demo`` at once)."""
    exp, segmenters, _ = toy_exp
    spec = _spec(exp, segmenters, 'held')
    holder = _hold_lock(spec['work_dir'])
    try:
        proc = subprocess.run(
            [sys.executable, '-m', 'mmadvseg.toy.run', spec['work_dir']],
            cwd=REPO, capture_output=True, text=True)
        assert proc.returncode != 0
        assert f'is in use by a toy experiment (pid {holder.pid}' in \
            proc.stderr
        assert not osp.exists(osp.join(spec['work_dir'], 'last_checkpoint'))
    finally:
        holder.communicate('')
    second = _hold_lock(exp.work_dir)
    try:
        with pytest.raises(FolderLockedError, match=f'pid {second.pid}'):
            run_experiment(exp)
        # collecting reads only: no lock needed
        collected = run_experiment(replace(exp, collect_only=True))
        assert collected['runs'] == []
    finally:
        second.communicate('')
