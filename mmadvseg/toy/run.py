# Copyright (c) mmadvseg contributors. All rights reserved.
"""One run of the toy experiment: its config, its training and what it
reports (final metrics, validation curves, training diagnostics).

``python -m mmadvseg.toy.run RUN_DIR`` trains the run described by
``RUN_DIR/spec.json`` (written by :mod:`.experiment`) and writes
``RUN_DIR/result.json``. A checkpoint is saved every 100 iterations; a run
killed before its result continues from the last one (bit for bit the run
it would have been: see :mod:`mmadvseg.engine.resume`).
"""
import json
import os.path as osp
import sys
import time
from typing import Any, Dict, List

import numpy as np

from ..utils.config import repo_config
from ..utils.fileio import atomic_write

SPEC_NAME = 'spec.json'
RESULT_NAME = 'result.json'
#: Which role's segmenter a metric uses, by the config file it names.
SEGMENTER_ROLES = {
    'mask2former_tiny_toy.py': 'guide',
    'mask2former_tiny-wide_toy.py': 'eval',
    'panoptic_fpn_tiny_toy.py': 'judge',
}
#: Iterations between checkpoints (at most).
CHECKPOINT_INTERVAL = 100
#: Training scalars summarised in the results (prefixes).
DIAGNOSTICS = ('advseg_', 'gradnorm_')


def build_run_cfg(spec: Dict[str, Any]):
    """The config of one run: a ``configs/toy`` leaf pointed at the data,
    the segmenters and the schedule of ``spec``.

    ``spec`` keys: ``model``, ``variant``, ``overrides``, ``seed``,
    ``iters``, ``batch_size``, ``data_root``, ``color_mode``,
    ``segmenters`` (``{role: {config, checkpoint}}`` for ``guide``,
    ``eval`` and ``judge``), ``fid_cache``, ``work_dir`` and optionally
    ``val_interval`` and ``grad_norm_interval``.

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

    def repoint(segmenter: dict) -> None:
        role = SEGMENTER_ROLES.get(osp.basename(segmenter.get('config', '')))
        if role is not None:
            segmenter.update(segmenters[role])

    if cfg.model.get('adv_seg') is not None:
        repoint(cfg.model.adv_seg.segmenter)
    cfg.model.grad_norm_interval = spec.get('grad_norm_interval', 0)
    metrics = []
    for metric in cfg.val_evaluator.metrics:
        if metric.get('prefix') == 'Colour' and \
                spec.get('color_mode', 'distinct') != 'distinct':
            continue  # colour ranges segment distinct-colour scenes only
        if 'segmenter' in metric:
            repoint(metric.segmenter)
        if metric.type == 'AdvSegFIDKID':
            metric.cache_dir = spec['fid_cache']
        metrics.append(metric)
    cfg.val_evaluator.metrics = metrics
    cfg.test_evaluator = cfg.val_evaluator
    iters = spec['iters']
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = spec.get('val_interval') or iters
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=1.0, end_factor=0.0,
             by_epoch=False, begin=iters // 2, end=iters)
    ]
    # a checkpoint every 100 iterations and at every validation: a killed
    # run resumes from the last
    cfg.default_hooks.checkpoint.interval = min(cfg.train_cfg.val_interval,
                                                CHECKPOINT_INTERVAL)
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


def _summary(values: np.ndarray, points: int = 10) -> Dict[str, Any]:
    """Start, end and a short curve of a logged scalar."""
    tenth = max(len(values) // 10, 1)
    fifth = max(len(values) // 5, 1)
    curve = [float(np.mean(chunk))
             for chunk in np.array_split(values, min(points, len(values)))]
    return dict(start=float(values[:tenth].mean()),
                end=float(values[-fifth:].mean()), curve=curve,
                num=len(values))


def collect_logs(message_hub, val_interval: int) -> tuple:
    """Validation curves and training diagnostics of a finished runner.

    Args:
        message_hub: The runner's ``MessageHub``.
        val_interval (int): Iterations between validations.

    Returns:
        tuple[dict, dict, dict]: Final validation metrics; their curves
        (``{metric: [[iter, value], ...]}``); the diagnostics
        (``{scalar: {start, end, curve, num}}``).
    """
    metrics: Dict[str, float] = {}
    curves: Dict[str, List[List[float]]] = {}
    diagnostics: Dict[str, Dict[str, Any]] = {}
    for key, buffer in message_hub.log_scalars.items():
        values = np.asarray(buffer.data[0], dtype=np.float64)
        if key.startswith('val/') and '/' in key[len('val/'):]:
            name = key[len('val/'):]
            metrics[name] = float(values[-1])
            curves[name] = [[(i + 1) * val_interval, float(v)]
                            for i, v in enumerate(values)]
        elif key.startswith('train/') and \
                key[len('train/'):].startswith(DIAGNOSTICS):
            diagnostics[key[len('train/'):]] = _summary(values)
    return metrics, curves, diagnostics


def run_single(run_dir: str) -> Dict[str, Any]:
    """Train and evaluate the run described by ``run_dir/spec.json`` in this
    process; write and return ``run_dir/result.json``."""
    import torch
    from mmengine.runner import Runner

    from ..engine.resume import resume_checkpoint
    with open(osp.join(run_dir, SPEC_NAME)) as f:
        spec = json.load(f)
    torch.set_num_threads(1)
    cfg = build_run_cfg(spec)
    checkpoint = resume_checkpoint(cfg.work_dir)
    if checkpoint is not None:  # a run that was killed: continue it
        cfg.resume, cfg.load_from = True, checkpoint
    start = time.time()
    runner = Runner.from_cfg(cfg)
    train_start = time.time()
    runner.train()  # the loop validates every val_interval and at the end
    metrics, curves, diagnostics = collect_logs(
        runner.message_hub, cfg.train_cfg.val_interval)
    result = {k: spec[k] for k in ('arm', 'model', 'variant', 'seed',
                                   'iters', 'batch_size', 'overrides',
                                   'settings', 'segmenter_weights')}
    result.update(
        generator=describe_generator(cfg),
        train_time_s=round(time.time() - train_start, 1),  # with validation
        total_time_s=round(time.time() - start, 1),
        metrics=metrics,
        curves=curves,
        diagnostics=diagnostics)
    with atomic_write(osp.join(run_dir, RESULT_NAME), 'w') as f:
        json.dump(result, f, indent=2)
    return result


def read_json(path: str):
    """A JSON file's content, or None when it is missing or unreadable."""
    try:
        with open(path) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return None


def load_result(run_dir: str):
    """A finished run's ``result.json``, or None."""
    return read_json(osp.join(run_dir, RESULT_NAME))


__all__ = [
    'build_run_cfg', 'describe_generator', 'collect_logs', 'run_single',
    'load_result', 'read_json', 'SPEC_NAME', 'RESULT_NAME'
]

if __name__ == '__main__':  # one run, in a subprocess of the experiment
    run_single(sys.argv[1])
