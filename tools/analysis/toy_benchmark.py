# Copyright (c) mmadvseg contributors. All rights reserved.
"""AdvSegLoss vs baseline on procedural toy scenes, end to end, offline.

``python tools/analysis/toy_benchmark.py --work-dir work_dirs/toy_bench``

1. Generates toy scenes (``--color-mode``, ``--size``) with panoptic ground
   truth, unless they exist.
2. Trains (or reuses) two toy segmenters with ``tools/train_segmenter.py``:
   the *guide* (``configs/segmenters/mask2former_tiny_toy.py``, seed 0),
   which AdvSegLoss uses during training, and the independent *evaluation*
   segmenter (``mask2former_tiny-wide_toy.py``: wider backbone, seed 1),
   which alone measures the results.
3. For every model (Pix2Pix, CycleGAN) x variant (baseline, multiclass,
   binary, both) x seed, trains ``configs/toy/<model>_<variant>_toy.py``
   for ``--iters`` iterations (each run a single-threaded subprocess) and
   evaluates it on the held-out scenes: mIoU / pixel accuracy / thing-stuff
   accuracy of the evaluation segmenter's labels of the generated images
   against the ground truth (``ToySemanticAccuracy``), KID and L1 to the
   real photo.
4. Writes ``results.json`` (every run and the aggregates) and ``results.md``
   (mean ± standard deviation over seeds).

KID uses the FID Inception from ``$TORCH_HOME`` (``--inception``); when the
real weights are absent (offline machines) a random-weight Inception is made
and the table says so: such a KID only compares runs with each other.
"""
import argparse
import json
import math
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional, Sequence

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
if REPO not in sys.path:
    sys.path.insert(0, REPO)
TOOLS = osp.join(REPO, 'tools')
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

MODELS = ('pix2pix', 'cyclegan')
VARIANTS = ('baseline', 'multiclass', 'binary', 'both')
GUIDE_CONFIG = osp.join(REPO, 'configs', 'segmenters',
                        'mask2former_tiny_toy.py')
EVAL_CONFIG = osp.join(REPO, 'configs', 'segmenters',
                       'mask2former_tiny-wide_toy.py')
#: (metric key in the run results, column title, digits)
COLUMNS = (
    ('Toy/mIoU', 'mIoU', 3),
    ('Toy/aAcc', 'pixel acc', 3),
    ('Toy/aAcc_binary', 'thing/stuff acc', 3),
    ('Toy/mIoU_binary', 'thing/stuff mIoU', 3),
    ('FID/kid', 'KID x1e3', 2),
    ('Toy/L1', 'L1', 4),
)
KID_SCALE = 1e3


# -- data and segmenters ---------------------------------------------------
def ensure_toy_data(root: str,
                    num_train: int = 500,
                    num_test: int = 100,
                    size: int = 64,
                    color_mode: str = 'distinct',
                    seed: int = 0) -> str:
    """Generate toy scenes into ``root`` unless the same ones are there.

    Returns:
        str: ``root`` (absolute).
    """
    from mmadvseg.datasets.toy_scenes import generate_toy_scenes
    root = osp.abspath(root)
    settings = dict(num_train=num_train, num_test=num_test, size=size,
                    color_mode=color_mode, seed=seed)
    stamp = osp.join(root, 'toy_settings.json')
    if osp.isfile(stamp):
        with open(stamp) as f:
            if json.load(f) == settings:
                return root
    if osp.isfile(stamp):  # an interrupted regeneration must not pass
        os.remove(stamp)
    generate_toy_scenes(root, **settings)
    with open(f'{stamp}.partial', 'w') as f:
        json.dump(settings, f)
    os.replace(f'{stamp}.partial', stamp)
    return root


def ensure_segmenters(work_dir: str,
                      data_root: str,
                      iters: int = 1000,
                      force: bool = False) -> Dict[str, Dict[str, Any]]:
    """Train (or reuse) the guide and the evaluation segmenters.

    Returns:
        dict: ``{'guide': {...}, 'eval': {...}}``, each with ``config``,
        ``checkpoint`` and ``report`` (``segmenter.json``).
    """
    from train_segmenter import load_segmenter_report, train_toy_segmenter
    out = {}
    for role, config in (('guide', GUIDE_CONFIG), ('eval', EVAL_CONFIG)):
        seg_dir = osp.join(work_dir, osp.splitext(osp.basename(config))[0])
        ckpt = train_toy_segmenter(
            seg_dir, config=config, data_root=data_root, iters=iters,
            num_workers=0, force=force)
        out[role] = dict(config=config, checkpoint=osp.abspath(ckpt),
                         report=load_segmenter_report(seg_dir))
    return out


# -- one run -----------------------------------------------------------------
def build_run_cfg(model: str,
                  variant: str,
                  seed: int,
                  data_root: str,
                  segmenters: Dict[str, Dict[str, Any]],
                  work_dir: str,
                  iters: int,
                  batch_size: int = 4,
                  overrides: Optional[dict] = None):
    """The config of one benchmark run (a ``configs/toy`` leaf, adjusted).

    Args:
        model (str): ``'pix2pix'`` or ``'cyclegan'``.
        variant (str): One of :data:`VARIANTS`.
        seed (int): Training seed.
        data_root (str): Toy dataset root (both GAN layouts).
        segmenters (dict): From :func:`ensure_segmenters`.
        work_dir (str): Work directory of the run.
        iters (int): Training iterations (constant lr for the first half,
            linear decay to 0 over the second).
        batch_size (int): Training batch size.
        overrides (dict, optional): Extra ``cfg.merge_from_dict`` options
            (e.g. ``{'model.adv_seg.loss_weights.multiclass': 10}``).

    Returns:
        mmengine.config.Config: Ready for ``Runner.from_cfg``.
    """
    from mmengine.config import Config
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'toy', f'{model}_{variant}_toy.py'))
    layout = 'paired' if model == 'pix2pix' else 'unpaired'
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].dataset.data_root = osp.join(data_root, layout)
        cfg[name].num_workers = 0
        cfg[name].persistent_workers = False
    cfg.train_dataloader.batch_size = batch_size
    if cfg.model.get('adv_seg') is not None:
        cfg.model.adv_seg.segmenter.config = segmenters['guide']['config']
        cfg.model.adv_seg.segmenter.checkpoint = segmenters['guide'][
            'checkpoint']
    for evaluator in ('val_evaluator', 'test_evaluator'):
        for metric in cfg[evaluator].metrics:
            if 'segmenter' in metric:
                metric.segmenter.config = segmenters['eval']['config']
                metric.segmenter.checkpoint = segmenters['eval']['checkpoint']
            if metric.type == 'AdvSegFIDKID':
                metric.cache_dir = osp.join(osp.dirname(work_dir),
                                            'fid_cache')
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters  # validated once, after training
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=1.0, end_factor=0.0,
             by_epoch=False, begin=iters // 2, end=iters)
    ]
    cfg.default_hooks.checkpoint.interval = iters
    cfg.default_hooks.checkpoint.save_optimizer = False
    cfg.default_hooks.logger.interval = max(min(100, iters // 4), 1)
    cfg.randomness = dict(seed=seed, diff_rank_seed=False)
    if overrides:
        cfg.merge_from_dict(overrides)
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    return cfg


def run_single(model: str, variant: str, seed: int, data_root: str,
               segmenters: Dict[str, Dict[str, Any]], work_dir: str,
               iters: int, batch_size: int = 4,
               overrides: Optional[dict] = None,
               threads: int = 1) -> Dict[str, Any]:
    """Train and evaluate one run in this process.

    Returns:
        dict: Settings, wall times and the validation metrics; also written
        to ``work_dir/result.json``.
    """
    import torch
    from mmengine.runner import Runner
    torch.set_num_threads(threads)
    cfg = build_run_cfg(model, variant, seed, data_root, segmenters, work_dir,
                        iters, batch_size, overrides)
    cfg.experiment_name = f'{model}_{variant}_seed{seed}'
    start = time.time()
    runner = Runner.from_cfg(cfg)
    runner.train()  # the loop validates after the last iteration
    train_time = time.time() - start
    metrics = {
        key[len('val/'):]: value.current()
        for key, value in runner.message_hub.log_scalars.items()
        if key.startswith('val/') and '/' in key[len('val/'):]
    }
    result = dict(
        model=model,
        variant=variant,
        seed=seed,
        iters=iters,
        batch_size=batch_size,
        overrides=overrides or {},
        train_time_s=round(train_time, 1),  # the final validation included
        total_time_s=round(time.time() - start, 1),
        metrics={k: float(v) for k, v in metrics.items()
                 if isinstance(v, (int, float))})
    tmp = osp.join(work_dir, 'result.json.partial')
    with open(tmp, 'w') as f:
        json.dump(result, f, indent=2)
    os.replace(tmp, osp.join(work_dir, 'result.json'))
    return result


def _run_subprocess(spec: dict, log_file: str, env: dict) -> subprocess.Popen:
    cmd = [sys.executable, osp.abspath(__file__), '--single',
           json.dumps(spec)]
    log = open(log_file, 'w')
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


# -- aggregation -----------------------------------------------------------
def _mean_std(values: Sequence[float]) -> tuple:
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return float('nan'), float('nan')
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, float('nan')
    var = sum((v - mean)**2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(var)


def aggregate(runs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Mean and sample standard deviation over seeds, per (model, variant).

    Returns:
        list[dict]: One row per (model, variant, overrides) with ``n``,
        ``<metric>_mean`` and ``<metric>_std`` for every metric.
    """
    groups: Dict[tuple, List[Dict[str, Any]]] = {}
    for run in runs:
        key = (run['model'], run['variant'],
               json.dumps(run.get('overrides', {}), sort_keys=True))
        groups.setdefault(key, []).append(run)
    rows = []
    for (model, variant, overrides), group in groups.items():
        row = dict(model=model, variant=variant,
                   overrides=json.loads(overrides), n=len(group),
                   iters=sorted({r['iters'] for r in group}),
                   seeds=sorted(r['seed'] for r in group),
                   train_time_s=_mean_std([r['train_time_s']
                                           for r in group])[0])
        keys = sorted({k for r in group for k in r['metrics']})
        for key in keys:
            mean, std = _mean_std([r['metrics'].get(key) for r in group])
            row[f'{key}_mean'], row[f'{key}_std'] = mean, std
        rows.append(row)
    order = {(m, v): i for i, (m, v) in enumerate(
        (m, v) for m in MODELS for v in VARIANTS)}
    rows.sort(key=lambda r: (order.get((r['model'], r['variant']), 99),
                             json.dumps(r['overrides'], sort_keys=True)))
    return rows


def _fmt(mean: float, std: float, digits: int, scale: float = 1.0) -> str:
    if mean is None or math.isnan(mean):
        return 'n/a'
    text = f'{mean * scale:.{digits}f}'
    if std is not None and not math.isnan(std):
        text += f' ± {std * scale:.{digits}f}'
    return text


def markdown_table(rows: List[Dict[str, Any]]) -> str:
    """The results as a Markdown table (mean ± std over seeds)."""
    head = ['model', 'variant', 'iters', 'seeds'] + [c[1] for c in COLUMNS]
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '---|' * len(head)]
    for row in rows:
        variant = row['variant']
        if row['overrides']:
            variant += ' (' + ', '.join(
                f'{k.split(".")[-1]}={v}'
                for k, v in sorted(row['overrides'].items())) + ')'
        cells = [
            row['model'], variant, '/'.join(map(str, row.get('iters', []))),
            str(row['n'])
        ]
        for key, _, digits in COLUMNS:
            scale = KID_SCALE if key == 'FID/kid' else 1.0
            cells.append(
                _fmt(row.get(f'{key}_mean'), row.get(f'{key}_std'), digits,
                     scale))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def write_results(out_dir: str, runs: List[Dict[str, Any]],
                  info: Dict[str, Any]) -> Dict[str, Any]:
    """Write ``results.json`` and ``results.md``; return the JSON content."""
    rows = aggregate(runs)
    content = dict(info=info, rows=rows, runs=runs)
    with open(osp.join(out_dir, 'results.json'), 'w') as f:
        json.dump(content, f, indent=2, sort_keys=True)
    md = ['# AdvSegLoss vs baseline on toy scenes\n',
          markdown_table(rows), '']
    ceiling = [r for r in runs if 'Toy/real_mIoU' in r['metrics']]
    if ceiling:
        real = _mean_std([r['metrics']['Toy/real_mIoU'] for r in ceiling])[0]
        real_acc = _mean_std([r['metrics']['Toy/real_aAcc']
                              for r in ceiling])[0]
        md.append(f'Evaluation segmenter on the real test photos: mIoU '
                  f'{real:.3f}, pixel acc {real_acc:.3f} (the ceiling).')
    for key, value in info.items():
        md.append(f'- {key}: {value}')
    text = '\n'.join(md) + '\n'
    with open(osp.join(out_dir, 'results.md'), 'w') as f:
        f.write(text)
    content['markdown'] = text
    return content


# -- the whole experiment -------------------------------------------------
def _ensure_inception(work_dir: str, inception: Optional[str]) -> tuple:
    """A TORCH_HOME holding FID Inception weights, and whether they are
    real."""
    from mmadvseg.evaluation.inception import (
        FID_WEIGHTS_NAME,
        InceptionWeightsNotFoundError,
        resolve_inception_weights,
        save_random_inception_weights,
    )
    if inception is None:
        try:
            inception = resolve_inception_weights()
        except InceptionWeightsNotFoundError:
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


def run_toy_benchmark(work_dir: str = 'work_dirs/toy_bench',
                      models: Sequence[str] = MODELS,
                      variants: Sequence[str] = VARIANTS,
                      seeds: Sequence[int] = (0, 1, 2),
                      iters: int = 400,
                      batch_size: int = 4,
                      color_mode: str = 'distinct',
                      size: int = 64,
                      num_train: int = 500,
                      num_test: int = 100,
                      segmenter_iters: int = 1000,
                      jobs: int = 1,
                      overrides: Optional[dict] = None,
                      inception: Optional[str] = None,
                      force_segmenters: bool = False,
                      rerun: bool = False,
                      collect_only: bool = False) -> Dict[str, Any]:
    """Run the whole experiment; return the ``results.json`` content.

    Finished runs (``runs/<model>_<variant>[_tag]_seed<k>/result.json``) are
    reused unless ``rerun``, so an interrupted experiment resumes.

    Args:
        work_dir (str): Output folder (data, segmenters, runs, results).
        models, variants, seeds: The grid.
        iters (int): GAN training iterations per run.
        batch_size (int): GAN batch size.
        color_mode (str): Toy scenes, ``'distinct'`` or ``'shared'``.
        size (int): Scene side (64: the toy GAN configs' crop).
        num_train, num_test (int): Scenes per split.
        segmenter_iters (int): Training iterations of each segmenter.
        jobs (int): Runs in parallel (single-threaded subprocesses).
        overrides (dict, optional): Extra config options for the AdvSegLoss
            runs (not the baselines), e.g. a loss weight; tagged in the
            run names and the table.
        inception (str, optional): FID Inception weight file.
        force_segmenters (bool): Retrain the segmenters.
        rerun (bool): Redo finished runs.
        collect_only (bool): Train nothing; tabulate the finished runs of
            the grid.
    """
    t0 = time.time()
    work_dir = osp.abspath(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    data_root = ensure_toy_data(
        osp.join(work_dir, f'data_{color_mode}'), num_train, num_test, size,
        color_mode)
    segmenters = ensure_segmenters(
        osp.join(work_dir, f'seg_{color_mode}'), data_root, segmenter_iters,
        force_segmenters)
    t_seg = time.time() - t0
    torch_home, kid_note = _ensure_inception(work_dir, inception)
    env = dict(os.environ, TORCH_HOME=torch_home, MMADVSEG_OFFLINE='1',
               OMP_NUM_THREADS='1', MKL_NUM_THREADS='1',
               PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    tag = ''
    if overrides:
        tag = '_' + '_'.join(f'{k.split(".")[-1]}{v}'
                             for k, v in sorted(overrides.items()))
    pending, runs = [], []
    for model in models:
        for variant in variants:
            for seed in seeds:
                run_tag = tag if variant != 'baseline' else ''
                name = f'{model}_{variant}{run_tag}_seed{seed}'
                run_dir = osp.join(work_dir, f'runs_{color_mode}', name)
                result = osp.join(run_dir, 'result.json')
                if osp.isfile(result) and not rerun:
                    with open(result) as f:
                        done = json.load(f)
                    # a run of another schedule is tabulated, never reused
                    if collect_only or (done['iters'], done['batch_size']) \
                            == (iters, batch_size):
                        runs.append(done)
                        continue
                    print(f'[toy_benchmark] {name}: the finished run had '
                          f'{done["iters"]} iterations of batch '
                          f'{done["batch_size"]}; training it again')
                if collect_only:
                    continue
                os.makedirs(run_dir, exist_ok=True)
                pending.append((dict(
                    model=model, variant=variant, seed=seed,
                    data_root=data_root, segmenters=segmenters,
                    work_dir=run_dir, iters=iters, batch_size=batch_size,
                    overrides=overrides if variant != 'baseline' else None),
                    osp.join(run_dir, 'run.log')))
    active: List[tuple] = []
    failed = []
    while pending or active:
        while pending and len(active) < max(jobs, 1):
            spec, log = pending.pop(0)
            active.append((spec, _run_subprocess(spec, log, env), log))
            print(f'[toy_benchmark] started {osp.basename(spec["work_dir"])}',
                  flush=True)
        time.sleep(1)
        for item in list(active):
            spec, proc, log = item
            if proc.poll() is None:
                continue
            active.remove(item)
            result = osp.join(spec['work_dir'], 'result.json')
            if proc.returncode == 0 and osp.isfile(result):
                with open(result) as f:
                    runs.append(json.load(f))
                m = runs[-1]['metrics']
                print(f'[toy_benchmark] done {osp.basename(spec["work_dir"])}'
                      f' in {runs[-1]["total_time_s"]:.0f}s: mIoU '
                      f'{m.get("Toy/mIoU", float("nan")):.3f} KID '
                      f'{m.get("FID/kid", float("nan")):.4f}', flush=True)
            else:
                failed.append(spec['work_dir'])
                print(f'[toy_benchmark] FAILED {spec["work_dir"]} (see '
                      f'{log})', flush=True)
    info = dict(
        command='python tools/analysis/toy_benchmark.py ' + ' '.join(
            sys.argv[1:]) if osp.basename(sys.argv[0]) == 'toy_benchmark.py'
        else None,
        scenes=f'{color_mode} colours, {size}px, {num_train} train / '
        f'{num_test} test',
        schedule=('iterations: see the table' if collect_only else
                  f'{iters} iterations') + f', batch {batch_size}, Adam 2e-4 '
        '(constant, then linear decay over the second half), generator '
        'ResNet 32 channels / 6 blocks',
        guide_segmenter=_seg_summary(segmenters['guide']),
        eval_segmenter=_seg_summary(segmenters['eval']),
        kid=kid_note,
        segmenter_time_s=round(t_seg, 1),
        wall_time_s=round(time.time() - t0, 1),
        failed_runs=failed)
    return write_results(work_dir, runs, info)


def _seg_summary(seg: Dict[str, Any]) -> str:
    report = seg.get('report') or {}
    pq = report.get('panoptic', {}).get('PQ')
    sem = report.get('semantic', {})
    parts = [osp.relpath(seg['config'], REPO)]
    if report:
        parts.append(f'{report.get("iters")} it, '
                     f'{report.get("train_time_s")} s')
    if pq is not None:
        parts.append(f'PQ {pq:.1f}')
    if sem:
        parts.append(f'pixel acc {sem.get("aAcc", float("nan")):.3f}, '
                     f'mIoU {sem.get("mIoU", float("nan")):.3f}')
    return '; '.join(parts)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='AdvSegLoss vs baseline on toy scenes')
    parser.add_argument('--work-dir', default='work_dirs/toy_bench')
    parser.add_argument('--models', nargs='+', default=list(MODELS),
                        choices=MODELS)
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS),
                        choices=VARIANTS)
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--iters', type=int, default=400)
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--color-mode', default='distinct',
                        choices=['distinct', 'shared'])
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--num-train', type=int, default=500)
    parser.add_argument('--num-test', type=int, default=100)
    parser.add_argument('--segmenter-iters', type=int, default=1000)
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs in parallel (each single-threaded)')
    parser.add_argument(
        '--adv-seg-options', nargs='+', default=[],
        help='KEY=VALUE config overrides for the AdvSegLoss runs, e.g. '
        'model.adv_seg.loss_weights.multiclass=10 model.adv_seg.hard=True')
    parser.add_argument('--inception', help='FID Inception weight file')
    parser.add_argument('--force-segmenters', action='store_true')
    parser.add_argument('--rerun', action='store_true')
    parser.add_argument('--collect-only', action='store_true',
                        help='only tabulate the finished runs of the grid')
    parser.add_argument('--single', help=argparse.SUPPRESS)
    return parser.parse_args()


def _parse_options(options: Sequence[str]) -> Optional[dict]:
    out = {}
    for item in options:
        key, value = item.split('=', 1)
        try:
            out[key] = json.loads(value.lower() if value in ('True', 'False')
                                  else value)
        except json.JSONDecodeError:
            out[key] = value
    return out or None


def main() -> None:
    args = parse_args()
    if args.single:
        spec = json.loads(args.single)
        run_single(**spec)
        return
    content = run_toy_benchmark(
        work_dir=args.work_dir,
        models=args.models,
        variants=args.variants,
        seeds=args.seeds,
        iters=args.iters,
        batch_size=args.batch_size,
        color_mode=args.color_mode,
        size=args.size,
        num_train=args.num_train,
        num_test=args.num_test,
        segmenter_iters=args.segmenter_iters,
        jobs=args.jobs,
        overrides=_parse_options(args.adv_seg_options),
        inception=args.inception,
        force_segmenters=args.force_segmenters,
        rerun=args.rerun,
        collect_only=args.collect_only)
    print(content['markdown'])


if __name__ == '__main__':
    main()
