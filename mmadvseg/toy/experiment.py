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
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence, Union

from ..utils.config import CONFIGS_DIR, repo_config
from ..utils.fileio import atomic_write
from .results import MODELS, VARIANTS, write_results
from .run import SPEC_NAME, load_result, read_json
from .scenes import ToyScenes
from .segmenter import (
    EVAL_CONFIG,
    GUIDE_CONFIG,
    JUDGE_CONFIG,
    load_segmenter_report,
    train_toy_segmenter,
    weights_digest,
)

#: Where the protocols' finished runs are recorded, kept with the code.
RECORDS_DIR = osp.join('configs', 'toy', 'records')


@dataclass(frozen=True)
class Arm:
    """One arm of the experiment.

    Args:
        model (str): ``'pix2pix'`` or ``'cyclegan'``.
        variant (str): ``'baseline'``, ``'multiclass'``, ``'binary'`` or
            ``'both'`` (the ``configs/toy`` leaf).
        overrides (dict): Config options on top of the leaf, e.g.
            ``{'model.adv_seg.map_mode': 'hard'}``.
        name (str, optional): Name in the runs and the tables; default the
            variant followed by the overrides' last key parts and values.
    """
    model: str
    variant: str
    overrides: Dict[str, Any] = field(default_factory=dict)
    name: Optional[str] = None

    def __post_init__(self) -> None:
        if self.model not in MODELS or self.variant not in VARIANTS:
            raise ValueError(f'unknown arm {self.model}/{self.variant}; '
                             f'models {MODELS}, variants {VARIANTS}')
        if self.name is None:
            tag = ''.join(f'_{k.split(".")[-1]}{v}'
                          for k, v in sorted(self.overrides.items()))
            object.__setattr__(self, 'name', self.variant + tag)

    def run_name(self, seed: int) -> str:
        """Folder of the run of ``seed``, e.g. ``cyclegan_both_seed0``."""
        return f'{self.model}_{self.name}_seed{seed}'


def grid_arms(models: Sequence[str] = MODELS,
              variants: Sequence[str] = VARIANTS,
              overrides: Optional[Dict[str, Any]] = None) -> List[Arm]:
    """Every model x variant; ``overrides`` apply to the AdvSegLoss arms,
    not to the baselines."""
    return [
        Arm(m, v, {} if v == 'baseline' else dict(overrides or {}))
        for m in models for v in variants
    ]


@dataclass(frozen=True)
class ToyExperiment:
    """The settings of a toy experiment.

    Args:
        work_dir (str): Output folder (data, segmenters, runs, results).
        arms (Sequence[Arm]): The arms (default :func:`grid_arms`).
        seeds (Sequence[int]): Training seeds; every arm of a seed starts
            from the same weights and sees the data in the same order.
        iters (int | dict): GAN training iterations per run (constant
            learning rate for the first half, linear decay to 0 over the
            second), or a dict of them per model.
        batch_size (int): GAN batch size.
        scenes (ToyScenes): The toy data; its root is replaced by
            ``work_dir/data_<color_mode>``.
        segmenter_iters (int): Training iterations of each segmenter.
        judge_scene_seed (int, optional): Seed of the judge's training
            scenes (default: the scenes' seed + 1), never the guide's.
        val_interval (int): Validate every so many iterations for the
            curves (0: once, after training).
        grad_norm_interval (int): Log the generator terms' gradient norms
            every so many iterations (0: never).
        jobs (int): Runs in parallel (single-threaded subprocesses).
        primary_metric (str): The metric the comparisons are about.
        results_name (str): Stem of the results files in ``work_dir``
            (a protocol's: ``results_<protocol file stem>``).
        record_dir (str, optional): A folder kept with the code (relative
            paths: to the repository root) where every finished run's
            result is also written, as ``<run name>.json``; a run recorded
            there with the same settings is not trained again, so a grid
            goes on from a fresh checkout and ``collect_only`` tabulates
            it.
        inception (str, optional): FID Inception weight file.
        force_segmenters (bool): Retrain the segmenters.
        rerun (bool): Redo finished runs.
        collect_only (bool): Train nothing; tabulate the finished runs.
    """
    work_dir: str = 'work_dirs/toy_bench'
    arms: Sequence[Arm] = field(default_factory=grid_arms)
    seeds: Sequence[int] = (0, 1, 2)
    iters: Union[int, Dict[str, int], None] = 400
    batch_size: int = 4
    scenes: ToyScenes = field(default_factory=ToyScenes)
    segmenter_iters: int = 1000
    judge_scene_seed: Optional[int] = None
    val_interval: int = 0
    grad_norm_interval: int = 25
    jobs: int = 1
    primary_metric: str = 'Judge/mIoU'
    results_name: str = 'results'
    record_dir: Optional[str] = None
    inception: Optional[str] = None
    force_segmenters: bool = False
    rerun: bool = False
    collect_only: bool = False

    def __post_init__(self) -> None:
        work_dir = osp.abspath(self.work_dir)
        object.__setattr__(self, 'work_dir', work_dir)
        if self.record_dir is not None:
            object.__setattr__(self, 'record_dir', osp.join(
                osp.dirname(CONFIGS_DIR), self.record_dir))
        object.__setattr__(self, 'arms', tuple(
            a if isinstance(a, Arm) else Arm(**a) for a in self.arms))
        object.__setattr__(self, 'scenes', replace(
            self.scenes,
            root=osp.join(work_dir, f'data_{self.scenes.color_mode}')))
        if self.judge_scene_seed is None:
            object.__setattr__(self, 'judge_scene_seed',
                               self.scenes.seed + 1)
        if not self.collect_only and not all(
                isinstance(self.iters_of(arm.model), int)
                for arm in self.arms):
            raise ValueError(f'no schedule for every model: iters='
                             f'{self.iters!r} (a protocol sets it first)')
        if self.judge_scene_seed == self.scenes.seed:
            raise ValueError('the judge must be trained on scenes of '
                             'another seed than the guide')

    def iters_of(self, model: str) -> Optional[int]:
        """The number of GAN iterations of ``model``'s runs."""
        if isinstance(self.iters, dict):
            return self.iters.get(model)
        return self.iters

    @property
    def runs_dir(self) -> str:
        return osp.join(self.work_dir, f'runs_{self.scenes.color_mode}')

    @property
    def judge_scenes(self) -> ToyScenes:
        """The judge's training scenes: another seed, panoptic only."""
        return replace(
            self.scenes, seed=self.judge_scene_seed, layouts=(),
            root=osp.join(self.work_dir,
                          f'data_{self.scenes.color_mode}_judge'))


def load_protocol(path: str, **overrides: Any) -> ToyExperiment:
    """A :class:`ToyExperiment` from a protocol file (an mmengine config
    whose keys are its fields; ``scenes`` a dict of :class:`ToyScenes`
    fields, ``arms`` a list of :class:`Arm` dicts), then ``overrides``.
    A protocol's results are ``results_<file stem>`` and its runs are
    recorded in ``configs/toy/records/<file stem>/`` unless it says
    otherwise.

    Args:
        path (str): Protocol file, e.g. ``configs/toy/protocols/...``.
            With ``iters`` a dict, the arms of a model it gives no
            schedule are left out (a protocol can be run model by model).
        **overrides: Fields to set; None values are ignored.

    Returns:
        ToyExperiment: The settings.
    """
    from mmengine.config import Config
    settings = Config.fromfile(path).to_dict()
    settings = {k: v for k, v in settings.items()
                if k in ToyExperiment.__dataclass_fields__}
    if 'scenes' in settings:
        settings['scenes'] = ToyScenes(**settings['scenes'])
    stem = osp.splitext(osp.basename(path))[0]
    settings.setdefault('results_name', 'results_' + stem)
    settings.setdefault('record_dir', osp.join(RECORDS_DIR, stem))
    settings.update({k: v for k, v in overrides.items() if v is not None})
    iters = settings.get('iters')
    if isinstance(iters, dict):  # a model whose schedule is not set yet
        waiting = sorted({arm['model'] for arm in settings.get('arms', [])
                          if iters.get(arm['model']) is None})
        if waiting:
            print(f'[toy] {path}: no schedule yet for {", ".join(waiting)}'
                  ' (iters); those arms are left out', flush=True)
            settings['arms'] = [arm for arm in settings['arms']
                                if arm['model'] not in waiting]
    return ToyExperiment(**settings)


# -- data, segmenters, inception ------------------------------------------
def _train_segmenter(job: Dict[str, Any]) -> str:
    """Train (or reuse) one segmenter of :func:`prepare_segmenters`, in a
    worker of its pool; its checkpoint."""
    return train_toy_segmenter(**job)


def prepare_segmenters(exp: ToyExperiment) -> Dict[str, Dict[str, Any]]:
    """Generate the scenes; train (or reuse) the guide, the evaluation
    segmenter and the judge, ``exp.jobs`` at a time.

    Returns:
        dict: ``{role: {config, checkpoint, report, weights}}`` for
        ``guide``, ``eval`` and ``judge`` (``weights``: the digest of
        their state dict, the same whenever the same settings trained it).
    """
    from ..utils.parallel import run_parallel
    seg_root = osp.join(exp.work_dir, f'seg_{exp.scenes.color_mode}')
    scenes = exp.scenes.ensure(exp.jobs)  # before the workers need them
    roles = (('guide', GUIDE_CONFIG, scenes), ('eval', EVAL_CONFIG, scenes),
             ('judge', JUDGE_CONFIG, exp.judge_scenes.ensure(exp.jobs)))
    jobs = [
        dict(work_dir=osp.join(seg_root,
                               osp.splitext(osp.basename(config))[0]),
             scenes=data, config=config, iters=exp.segmenter_iters,
             num_workers=0, force=exp.force_segmenters,
             test_scenes=scenes) for _, config, data in roles
    ]
    checkpoints = run_parallel(_train_segmenter, jobs, nproc=exp.jobs,
                               desc='toy segmenters', progress=False)
    return {
        role: dict(config=repo_config(config), checkpoint=ckpt,
                   report=load_segmenter_report(job['work_dir']),
                   weights=weights_digest(ckpt))
        for (role, config, _), job, ckpt in zip(roles, jobs, checkpoints)
    }


def prepare_inception(work_dir: str, inception: Optional[str]) -> tuple:
    """A ``TORCH_HOME`` holding FID Inception weights, and a note saying
    whether they are the real ones."""
    from ..evaluation.inception import (
        FID_WEIGHTS_NAME,
        resolve_inception_weights,
    )
    from ..testing import save_random_inception_weights
    from ..utils.weights import WeightsNotFoundError
    if inception is None:
        try:
            inception = resolve_inception_weights()
        except WeightsNotFoundError:
            inception = None
    torch_home = osp.join(work_dir, 'torch_home')
    target = osp.join(torch_home, 'hub', 'checkpoints', FID_WEIGHTS_NAME)
    os.makedirs(osp.dirname(target), exist_ok=True)
    if inception is not None:
        # link the real file, replacing random weights or a stale link
        if not (osp.islink(target)
                and osp.realpath(target) == osp.realpath(inception)):
            if osp.lexists(target):
                os.remove(target)
            os.symlink(osp.abspath(inception), target)
        return torch_home, 'FID Inception weights ' + inception
    if osp.islink(target):  # never write random weights through a link
        os.remove(target)
    if not osp.exists(target):
        save_random_inception_weights(target)
    return torch_home, ('RANDOM-weight Inception (real weights unavailable '
                        'offline): KID compares runs only')


# -- runs ------------------------------------------------------------------
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
    path = osp.join(exp.record_dir, '{model}_{arm}_seed{seed}.json'.format(
        **result))
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

    Args:
        exp (ToyExperiment): The settings.
        command (str, optional): The command line, for the results.

    Returns:
        dict: The ``results.json`` content, plus ``markdown`` (the tables).
    """
    t0 = time.time()
    os.makedirs(exp.work_dir, exist_ok=True)
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
            value = result['metrics'].get(exp.primary_metric, float('nan'))
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
        comparisons=sum(arm.variant != 'baseline' for arm in exp.arms))


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
    'record_run',
    'prepare_segmenters', 'prepare_inception', 'run_spec', 'run_experiment'
]
