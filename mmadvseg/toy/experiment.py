# Copyright (c) mmadvseg contributors. All rights reserved.
"""AdvSegLoss vs baseline on procedural toy scenes, end to end, offline.

:func:`run_experiment` takes one :class:`ToyExperiment`:

1. generates the toy scenes unless they are current (:class:`ToyScenes`);
2. trains (or reuses) three toy segmenters: the *guide* (the tiny
   Mask2Former AdvSegLoss trains with), the *evaluation* segmenter (a wider
   Mask2Former, another seed) and the *judge* (a tiny Panoptic FPN, another
   family, trained on scenes of another seed);
3. trains every arm (:class:`Arm`: a model, a variant and config
   overrides) for every seed, each run a single-threaded subprocess
   (:mod:`.run`), and evaluates it on the held-out scenes;
4. writes ``results.json`` and ``results.md`` (``results_<protocol>.*``
   for a protocol; :mod:`.results`).

A finished run (``runs_<colours>/<model>_<arm>_seed<k>/result.json``) is
reused when it was made with the same settings, so an interrupted
experiment resumes; ``collect_only`` tabulates what is there without
training anything.
"""
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from typing import Any, Dict, List, Optional

from ..utils.config import CONFIGS_DIR
from ..utils.fileio import atomic_write, lock_folder, unlock_folder
from .prepare import prepare_inception, prepare_segmenters
from .protocol import (
    Arm,
    ToyExperiment,
    grid_arms,
    load_protocol,
    run_name,
)
from .results import with_curve_metric, write_results
from .run import SPEC_NAME, load_result, read_json


def run_spec(exp: ToyExperiment, arm: Arm, seed: int,
             segmenters: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    """Everything a run depends on (read by :func:`.run.build_run_cfg`);
    ``settings`` decides whether a finished run may be reused."""
    iters = exp.iters_of(arm.model)
    settings = dict(
        model=arm.model, variant=arm.variant, overrides=arm.overrides,
        seed=seed, iters=iters, batch_size=exp.batch_size,
        val_interval=exp.val_interval,
        grad_norm_interval=exp.grad_norm_interval,
        scenes=exp.scenes.settings(),
        segmenters={role: (seg['report'] or {}).get('settings')
                    for role, seg in segmenters.items()})
    return dict(
        arm=arm.name, model=arm.model, variant=arm.variant,
        overrides=arm.overrides, seed=seed, iters=iters,
        batch_size=exp.batch_size, val_interval=exp.val_interval,
        grad_norm_interval=exp.grad_norm_interval,
        data_root=exp.scenes.root, color_mode=exp.scenes.color_mode,
        fid_cache=osp.join(exp.work_dir, 'fid_cache'),
        segmenters={
            role: dict(config=seg['config'], checkpoint=seg['checkpoint'])
            for role, seg in segmenters.items()
        },
        work_dir=osp.join(exp.runs_dir, arm.run_name(seed)),
        segmenter_weights={role: seg['weights']
                           for role, seg in segmenters.items()},
        settings=json.loads(json.dumps(settings)))


def finished_run(exp: ToyExperiment, arm: Arm, seed: int,
                 settings: Optional[Dict[str, Any]] = None
                 ) -> Optional[Dict[str, Any]]:
    """The result of a finished run: from its folder, else from
    ``exp.record_dir``; with ``settings``, only one made with them."""
    name = arm.run_name(seed)
    candidates = [load_result(osp.join(exp.runs_dir, name))]
    if exp.record_dir is not None:
        candidates.append(read_json(osp.join(exp.record_dir,
                                              name + '.json')))
    for result in candidates:
        if result is not None and (settings is None
                                   or result.get('settings') == settings):
            return result
    return None


def record_run(exp: ToyExperiment, result: Dict[str, Any]) -> None:
    """Write a finished run's result to ``exp.record_dir`` (if set and it
    is not there yet)."""
    if exp.record_dir is None:
        return
    path = osp.join(exp.record_dir, run_name(
        result['model'], result['arm'], result['seed']) + '.json')
    if read_json(path) != result:
        os.makedirs(exp.record_dir, exist_ok=True)
        with atomic_write(path, 'w') as f:
            json.dump(result, f, indent=2)


def _train_in_subprocess(spec: Dict[str, Any], env: Dict[str, str],
                         fresh: bool) -> Optional[Dict[str, Any]]:
    """Run one spec in a fresh single-threaded interpreter, logging to
    ``run.log``; the result, or None when the run failed. A run killed
    before its result continues from its last checkpoint if its spec is
    the same, unless ``fresh``; otherwise its folder is cleared first."""
    run_dir = spec['work_dir']
    if fresh or read_json(osp.join(run_dir, SPEC_NAME)) != spec:
        shutil.rmtree(run_dir, ignore_errors=True)  # no other run to resume
    os.makedirs(run_dir, exist_ok=True)
    with atomic_write(osp.join(run_dir, SPEC_NAME), 'w') as f:
        json.dump(spec, f, indent=2)
    with open(osp.join(run_dir, 'run.log'), 'a') as log:
        proc = subprocess.run(
            [sys.executable, '-m', 'mmadvseg.toy.run', run_dir],
            cwd=osp.dirname(CONFIGS_DIR), env=env, stdout=log,
            stderr=subprocess.STDOUT)
    return load_result(run_dir) if proc.returncode == 0 else None


def _seed_groups(grid: List[tuple]) -> List[List[tuple]]:
    """The ``(arm, seed)`` items of ``grid`` grouped by model and seed, in
    order."""
    groups: Dict[tuple, List[tuple]] = {}
    for arm, seed in grid:
        groups.setdefault((arm.model, seed), []).append((arm, seed))
    return list(groups.values())


def run_experiment(exp: ToyExperiment,
                   command: Optional[str] = None) -> Dict[str, Any]:
    """Run (or collect) the whole experiment.

    The work dir is locked while the experiment trains (a second one there,
    e.g. ``make demo`` started twice, stops with an error naming the
    process that holds it); ``collect_only`` takes no lock.

    Args:
        exp (ToyExperiment): The settings.
        command (str, optional): The command line, for the results.

    Returns:
        dict: The ``results.json`` content, plus ``markdown`` (the tables).

    Raises:
        FolderLockedError: Another experiment is running in ``work_dir``.
    """
    os.makedirs(exp.work_dir, exist_ok=True)
    locked = not exp.collect_only and lock_folder(exp.work_dir,
                                                  'toy experiment')
    try:
        return _run_experiment(exp, command)
    finally:
        if locked:
            unlock_folder(exp.work_dir)


def _run_experiment(exp: ToyExperiment,
                    command: Optional[str]) -> Dict[str, Any]:
    t0 = time.time()
    runs, pending, failed = [], [], []
    # a model's arms seed by seed: a grid cut short leaves complete pairs
    models = list(dict.fromkeys(arm.model for arm in exp.arms))
    grid = [(arm, seed) for model in models for seed in exp.seeds
            for arm in exp.arms if arm.model == model]
    segmenters: Dict[str, Dict[str, Any]] = {}
    kid_note, env = 'see the runs', dict(os.environ)
    if exp.collect_only:
        runs = [r for r in (finished_run(exp, arm, seed)
                            for arm, seed in grid) if r]
    else:
        segmenters = prepare_segmenters(exp)
        torch_home, kid_note = prepare_inception(exp.work_dir, exp.inception)
        env.update(TORCH_HOME=torch_home, MMADVSEG_OFFLINE='1',
                   OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
        for group in _seed_groups(grid):
            specs = [run_spec(exp, arm, seed, segmenters)
                     for arm, seed in group]
            done = [None if exp.rerun else finished_run(
                exp, arm, seed, spec['settings'])
                for (arm, seed), spec in zip(group, specs)]
            # the arms of a seed are compared with each other, so they need
            # the same segmenter weights: a complete group is kept, an
            # incomplete one is completed with today's weights (runs
            # recorded with others, e.g. on another CPU, are trained again)
            weights = {json.dumps(d['segmenter_weights'], sort_keys=True)
                       for d in done if d and 'segmenter_weights' in d}
            whole = all(done) and len(weights) <= 1
            for (arm, seed), spec, result in zip(group, specs, done):
                if result is not None and (whole or result.get(
                        'segmenter_weights') == spec['segmenter_weights']):
                    runs.append(result)
                    continue
                if result is not None:
                    print(f'[toy] {arm.run_name(seed)}: recorded with other '
                          'segmenter weights than the rest of its seed will '
                          'have; training it again', flush=True)
                elif not exp.rerun and finished_run(exp, arm,
                                                    seed) is not None:
                    print(f'[toy] {arm.run_name(seed)}: the finished run had '
                          'other settings; training it again', flush=True)
                pending.append(spec)
    for result in runs:
        record_run(exp, result)
    t_prep = time.time() - t0
    with ThreadPoolExecutor(max_workers=max(exp.jobs, 1)) as pool:
        futures = {
            pool.submit(_train_in_subprocess, spec, env, exp.rerun): spec
            for spec in pending
        }
        for future in as_completed(futures):
            run_dir = futures[future]['work_dir']
            result = future.result()
            if result is None:
                failed.append(run_dir)
                print(f'[toy] FAILED {osp.basename(run_dir)} (see '
                      f'{run_dir}/run.log)', flush=True)
                continue
            runs.append(result)
            record_run(exp, result)
            value = with_curve_metric(result, exp.primary_metric)[
                'metrics'][exp.primary_metric]
            print(f'[toy] done {osp.basename(run_dir)} in '
                  f'{result["total_time_s"]:.0f}s: {exp.primary_metric} '
                  f'{value:.3f}', flush=True)
    settings = asdict(exp)
    settings['scenes'] = exp.scenes.settings()
    info = dict(
        command=command,
        scenes=(f'{exp.scenes.color_mode} colours, {exp.scenes.size}px, '
                f'{exp.scenes.num_train} train / {exp.scenes.num_test} test'),
        generator=sorted({r.get('generator', '?') for r in runs}),
        segmenters={role: _seg_summary(seg)
                    for role, seg in segmenters.items()},
        kid=kid_note,
        preparation_time_s=round(t_prep, 1),
        wall_time_s=round(time.time() - t0, 1),
        failed_runs=failed,
        settings=settings)
    return write_results(
        exp.work_dir, runs, info, exp.primary_metric, exp.results_name,
        comparisons=exp.comparisons
        or sum(arm.variant != 'baseline' for arm in exp.arms))


def _seg_summary(seg: Dict[str, Any]) -> str:
    report = seg.get('report') or {}
    settings = report.get('settings', {})
    parts = [settings.get('config', '?'),
             f'{settings.get("iters")} it, {report.get("train_time_s")} s']
    if 'PQ' in report.get('panoptic', {}):
        parts.append(f'PQ {report["panoptic"]["PQ"]:.1f}')
    sem = report.get('semantic')
    if sem:
        parts.append(f'pixel acc {sem["aAcc"]:.3f}, mIoU {sem["mIoU"]:.3f} '
                     '(real test scenes)')
    return '; '.join(parts)


__all__ = [
    'Arm', 'ToyExperiment', 'grid_arms', 'load_protocol', 'finished_run',
    'record_run', 'run_spec', 'run_experiment'
]
