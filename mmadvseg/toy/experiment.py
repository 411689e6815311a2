# Copyright (c) mmadvseg contributors. All rights reserved.
"""AdvSegLoss vs baseline on procedural toy scenes, end to end, offline.

:func:`run_experiment` takes one :class:`ToyExperiment`:

1. generates the toy scenes unless they are current (:class:`ToyScenes`);
2. trains (or reuses) two toy segmenters: the *guide*
   (``configs/toy/segmenters/mask2former_tiny_toy.py``, seed 0), which
   AdvSegLoss uses, and the independent *evaluation* segmenter
   (``mask2former_tiny-wide_toy.py``: wider backbone, seed 1), which alone
   measures the results;
3. for every arm (model x variant, with optional config overrides) and
   seed, trains ``configs/toy/<model>_<variant>_toy.py`` in a
   single-threaded subprocess and evaluates it on the held-out scenes;
4. writes ``results.json`` and ``results.md`` (:mod:`.results`).

A finished run (``runs_<colours>/<arm>_seed<k>/result.json``) is reused when
it was made with the same settings, so an interrupted experiment resumes;
``collect_only`` tabulates what is there without training anything.

KID uses the FID Inception weights when they are found (``inception``, or
the hub cache); offline, a random-weight Inception is made and the results
say so: such a KID only compares runs with each other.
"""
import json
import os
import os.path as osp
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..utils.config import CONFIGS_DIR, repo_config
from ..utils.fileio import atomic_write
from .results import MODELS, VARIANTS, write_results
from .scenes import ToyScenes
from .segmenter import (
    EVAL_CONFIG,
    GUIDE_CONFIG,
    load_segmenter_report,
    train_toy_segmenter,
)

RESULT_NAME = 'result.json'
SPEC_NAME = 'spec.json'


@dataclass(frozen=True)
class ToyExperiment:
    """The settings of a toy experiment.

    Args:
        work_dir (str): Output folder (data, segmenters, runs, results).
        models (Sequence[str]): Subset of :data:`~.results.MODELS`.
        variants (Sequence[str]): Subset of :data:`~.results.VARIANTS`.
        seeds (Sequence[int]): Training seeds.
        iters (int): GAN training iterations per run (constant learning
            rate for the first half, linear decay to 0 over the second).
        batch_size (int): GAN batch size.
        scenes (ToyScenes): The toy data; its root is replaced by
            ``work_dir/data_<color_mode>``.
        segmenter_iters (int): Training iterations of each segmenter.
        jobs (int): Runs in parallel (single-threaded subprocesses).
        overrides (dict): Config options for the AdvSegLoss runs (not the
            baselines), e.g. ``{'model.adv_seg.hard': True}``; tagged in
            the run names and the table.
        inception (str, optional): FID Inception weight file.
        force_segmenters (bool): Retrain the segmenters.
        rerun (bool): Redo finished runs.
        collect_only (bool): Train nothing; tabulate the finished runs.
    """
    work_dir: str = 'work_dirs/toy_bench'
    models: Sequence[str] = MODELS
    variants: Sequence[str] = VARIANTS
    seeds: Sequence[int] = (0, 1, 2)
    iters: int = 400
    batch_size: int = 4
    scenes: ToyScenes = field(default_factory=ToyScenes)
    segmenter_iters: int = 1000
    jobs: int = 1
    overrides: Dict[str, Any] = field(default_factory=dict)
    inception: Optional[str] = None
    force_segmenters: bool = False
    rerun: bool = False
    collect_only: bool = False

    def __post_init__(self) -> None:
        for name, values, allowed in (('models', self.models, MODELS),
                                      ('variants', self.variants, VARIANTS)):
            unknown = set(values) - set(allowed)
            if unknown:
                raise ValueError(f'unknown {name} {sorted(unknown)}; choose '
                                 f'from {allowed}')
        work_dir = osp.abspath(self.work_dir)
        object.__setattr__(self, 'work_dir', work_dir)
        object.__setattr__(self, 'scenes', replace(
            self.scenes,
            root=osp.join(work_dir, f'data_{self.scenes.color_mode}')))

    @property
    def runs_dir(self) -> str:
        return osp.join(self.work_dir, f'runs_{self.scenes.color_mode}')

    def arms(self) -> List[Tuple[str, str, Dict[str, Any]]]:
        """``(model, variant, overrides)`` of every arm."""
        return [(m, v, {} if v == 'baseline' else dict(self.overrides))
                for m in self.models for v in self.variants]


def run_name(model: str, variant: str, overrides: Dict[str, Any],
             seed: int) -> str:
    """Folder name of a run, e.g. ``pix2pix_both_hardTrue_seed0``."""
    tag = ''.join(f'_{k.split(".")[-1]}{v}' for k, v in sorted(
        overrides.items()))
    return f'{model}_{variant}{tag}_seed{seed}'


# -- data, segmenters, inception ------------------------------------------
def prepare_segmenters(exp: ToyExperiment) -> Dict[str, Dict[str, Any]]:
    """Generate the scenes and train (or reuse) the guide and the evaluation
    segmenters.

    Returns:
        dict: ``{'guide': {...}, 'eval': {...}}``, each with ``config``,
        ``checkpoint`` and ``report`` (``segmenter.json``).
    """
    seg_root = osp.join(exp.work_dir, f'seg_{exp.scenes.color_mode}')
    out = {}
    for role, config in (('guide', GUIDE_CONFIG), ('eval', EVAL_CONFIG)):
        work_dir = osp.join(seg_root, osp.splitext(osp.basename(config))[0])
        ckpt = train_toy_segmenter(
            work_dir, exp.scenes, config=config, iters=exp.segmenter_iters,
            num_workers=0, force=exp.force_segmenters)
        out[role] = dict(config=repo_config(config), checkpoint=ckpt,
                         report=load_segmenter_report(work_dir))
    return out


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


# -- one run ---------------------------------------------------------------
def build_run_cfg(spec: Dict[str, Any]):
    """The config of one run: a ``configs/toy`` leaf pointed at the data,
    the segmenters and the schedule of ``spec`` (see :func:`_run_spec`).

    Returns:
        mmengine.config.Config: Ready for ``Runner.from_cfg``.
    """
    from mmengine.config import Config
    cfg = Config.fromfile(
        repo_config(f'toy/{spec["model"]}_{spec["variant"]}_toy.py'))
    layout = 'paired' if spec['model'] == 'pix2pix' else 'unpaired'
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].dataset.data_root = osp.join(spec['data_root'], layout)
        cfg[name].num_workers = 0
        cfg[name].persistent_workers = False
    cfg.train_dataloader.batch_size = spec['batch_size']
    segmenters = spec['segmenters']
    if cfg.model.get('adv_seg') is not None:
        cfg.model.adv_seg.segmenter.config = segmenters['guide']['config']
        cfg.model.adv_seg.segmenter.checkpoint = segmenters['guide'][
            'checkpoint']
    for metric in cfg.val_evaluator.metrics:
        if 'segmenter' in metric:
            metric.segmenter.config = segmenters['eval']['config']
            metric.segmenter.checkpoint = segmenters['eval']['checkpoint']
        if metric.type == 'AdvSegFIDKID':
            metric.cache_dir = spec['fid_cache']
    cfg.test_evaluator = cfg.val_evaluator
    iters = spec['iters']
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters  # validated once, after training
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=1.0, end_factor=0.0,
             by_epoch=False, begin=iters // 2, end=iters)
    ]
    cfg.default_hooks.checkpoint.interval = iters
    cfg.default_hooks.logger.interval = max(min(100, iters // 4), 1)
    cfg.randomness = dict(seed=spec['seed'], diff_rank_seed=False)
    cfg.merge_from_dict(spec['overrides'])
    cfg.work_dir = spec['work_dir']
    cfg.experiment_name = osp.basename(spec['work_dir'])
    cfg.launcher = 'none'
    return cfg


def describe_generator(cfg) -> str:
    """The generator of a config in words, for the results."""
    gen = cfg.model.generator
    return (f'{gen.type}, {gen.base_channels} channels, {gen.num_blocks} '
            f'blocks, {gen.norm_cfg.type}')


def run_single(run_dir: str) -> Dict[str, Any]:
    """Train and evaluate the run described by ``run_dir/spec.json`` in this
    process; write and return ``run_dir/result.json``."""
    import torch
    from mmengine.runner import Runner
    with open(osp.join(run_dir, SPEC_NAME)) as f:
        spec = json.load(f)
    torch.set_num_threads(1)
    cfg = build_run_cfg(spec)
    start = time.time()
    runner = Runner.from_cfg(cfg)
    train_start = time.time()
    runner.train()  # the loop validates after the last iteration
    metrics = {
        key[len('val/'):]: float(value.current())
        for key, value in runner.message_hub.log_scalars.items()
        if key.startswith('val/') and '/' in key[len('val/'):]
        and isinstance(value.current(), (int, float))
    }
    result = {k: spec[k] for k in ('model', 'variant', 'seed', 'iters',
                                   'batch_size', 'overrides', 'settings')}
    result.update(
        generator=describe_generator(cfg),
        train_time_s=round(time.time() - train_start, 1),  # with validation
        total_time_s=round(time.time() - start, 1),
        metrics=metrics)
    with atomic_write(osp.join(run_dir, RESULT_NAME), 'w') as f:
        json.dump(result, f, indent=2)
    return result


def _run_spec(exp: ToyExperiment, model: str, variant: str,
              overrides: Dict[str, Any], seed: int,
              segmenters: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    """Everything a run depends on; ``settings`` decides whether a
    finished run may be reused."""
    settings = dict(
        model=model, variant=variant, overrides=overrides, seed=seed,
        iters=exp.iters, batch_size=exp.batch_size,
        scenes=exp.scenes.settings(),
        segmenters={role: (seg['report'] or {}).get('settings')
                    for role, seg in segmenters.items()})
    return dict(
        model=model, variant=variant, overrides=overrides, seed=seed,
        iters=exp.iters, batch_size=exp.batch_size,
        data_root=exp.scenes.root,
        fid_cache=osp.join(exp.work_dir, 'fid_cache'),
        segmenters={
            role: dict(config=seg['config'], checkpoint=seg['checkpoint'])
            for role, seg in segmenters.items()
        },
        work_dir=osp.join(exp.runs_dir,
                          run_name(model, variant, overrides, seed)),
        settings=json.loads(json.dumps(settings)))


def _finished(run_dir: str) -> Optional[Dict[str, Any]]:
    try:
        with open(osp.join(run_dir, RESULT_NAME)) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return None


def _train_in_subprocess(spec: Dict[str, Any],
                         env: Dict[str, str]) -> Optional[Dict[str, Any]]:
    """Run one spec in a fresh single-threaded interpreter, logging to
    ``run.log``; the result, or None when the run failed."""
    run_dir = spec['work_dir']
    os.makedirs(run_dir, exist_ok=True)
    with atomic_write(osp.join(run_dir, SPEC_NAME), 'w') as f:
        json.dump(spec, f, indent=2)
    with open(osp.join(run_dir, 'run.log'), 'w') as log:
        proc = subprocess.run(
            [sys.executable, '-m', 'mmadvseg.toy.experiment', run_dir],
            cwd=osp.dirname(CONFIGS_DIR), env=env, stdout=log,
            stderr=subprocess.STDOUT)
    return _finished(run_dir) if proc.returncode == 0 else None


# -- the whole experiment -------------------------------------------------
def run_experiment(exp: ToyExperiment,
                   command: Optional[str] = None) -> Dict[str, Any]:
    """Run (or collect) the whole experiment.

    Args:
        exp (ToyExperiment): The settings.
        command (str, optional): The command line, for the results.

    Returns:
        dict: The ``results.json`` content, plus ``markdown`` (the table).
    """
    t0 = time.time()
    os.makedirs(exp.work_dir, exist_ok=True)
    runs, pending, failed = [], [], []
    grid = [(m, v, o, s) for m, v, o in exp.arms() for s in exp.seeds]
    if exp.collect_only:
        segmenters: Dict[str, Dict[str, Any]] = {}
        for model, variant, overrides, seed in grid:
            done = _finished(osp.join(
                exp.runs_dir, run_name(model, variant, overrides, seed)))
            runs += [done] if done else []
        kid_note = 'see the runs'
    else:
        segmenters = prepare_segmenters(exp)
        torch_home, kid_note = prepare_inception(exp.work_dir, exp.inception)
        for model, variant, overrides, seed in grid:
            spec = _run_spec(exp, model, variant, overrides, seed, segmenters)
            done = None if exp.rerun else _finished(spec['work_dir'])
            if done is not None and done.get('settings') == spec['settings']:
                runs.append(done)
                continue
            if done is not None:
                print(f'[toy] {osp.basename(spec["work_dir"])}: the finished '
                      'run had other settings; training it again',
                      flush=True)
            pending.append(spec)
    t_prep = time.time() - t0
    env = dict(os.environ, MMADVSEG_OFFLINE='1', OMP_NUM_THREADS='1',
               MKL_NUM_THREADS='1')
    if pending:
        env['TORCH_HOME'] = torch_home
    with ThreadPoolExecutor(max_workers=max(exp.jobs, 1)) as pool:
        futures = {pool.submit(_train_in_subprocess, spec, env): spec
                   for spec in pending}
        for future in as_completed(futures):
            name = osp.basename(futures[future]['work_dir'])
            result = future.result()
            if result is None:
                failed.append(futures[future]['work_dir'])
                print(f'[toy] FAILED {name} (see '
                      f'{futures[future]["work_dir"]}/run.log)', flush=True)
                continue
            runs.append(result)
            m = result['metrics']
            print(f'[toy] done {name} in {result["total_time_s"]:.0f}s: mIoU '
                  f'{m.get("Toy/mIoU", float("nan")):.3f}', flush=True)
    settings = asdict(exp)
    settings['scenes'] = exp.scenes.settings()
    info = dict(
        command=command,
        scenes=(f'{exp.scenes.color_mode} colours, {exp.scenes.size}px, '
                f'{exp.scenes.num_train} train / {exp.scenes.num_test} test'),
        generator=sorted({r.get('generator', '?') for r in runs}),
        guide_segmenter=_seg_summary(segmenters.get('guide')),
        eval_segmenter=_seg_summary(segmenters.get('eval')),
        kid=kid_note,
        preparation_time_s=round(t_prep, 1),
        wall_time_s=round(time.time() - t0, 1),
        failed_runs=failed,
        settings=settings)
    return write_results(exp.work_dir, runs, info)


def _seg_summary(seg: Optional[Dict[str, Any]]) -> str:
    report = (seg or {}).get('report') or {}
    if not report:
        return 'n/a'
    settings = report.get('settings', {})
    parts = [settings.get('config', '?'),
             f'{settings.get("iters")} it, {report.get("train_time_s")} s']
    if 'PQ' in report.get('panoptic', {}):
        parts.append(f'PQ {report["panoptic"]["PQ"]:.1f}')
    sem = report.get('semantic')
    if sem:
        parts.append(f'pixel acc {sem["aAcc"]:.3f}, mIoU {sem["mIoU"]:.3f}')
    return '; '.join(parts)


if __name__ == '__main__':  # one run, in the subprocess of run_experiment
    run_single(sys.argv[1])
