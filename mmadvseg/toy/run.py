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
#: Metric prefix of the second judge (``segmenters['judge2']``), a copy of
#: the judge's metrics.
SECOND_JUDGE_PREFIX = 'Judge2'
#: Iterations between checkpoints (at most).
CHECKPOINT_INTERVAL = 100
#: Training scalars summarised in the results (prefixes).
DIAGNOSTICS = ('advseg_', 'gradnorm_')


def toy_config(spec: Dict[str, Any]) -> str:
    """The ``configs/toy`` leaf of a run, e.g.
    ``configs/toy/pix2pix_both_toy.py``."""
    return repo_config(f'toy/{spec["model"]}_{spec["variant"]}_toy.py')


def run_cfg_options(spec: Dict[str, Any]) -> Dict[str, Any]:
    """The config delta of one run over its ``configs/toy`` leaf, as
    ``--cfg-options`` of ``tools/train.py``: the data, the segmenters, the
    schedule and the seed of ``spec``, then the arm's overrides.

    ``spec`` keys: ``model``, ``variant``, ``overrides``, ``seed``,
    ``iters``, ``batch_size``, ``data_root``, ``color_mode``,
    ``segmenters`` (``{role: {config, checkpoint}}`` for ``guide``,
    ``eval``, ``judge`` and optionally ``judge2``, whose scores are the
    judge's semantic metric again, prefixed ``Judge2``), ``fid_cache``,
    ``work_dir`` and optionally ``val_interval`` and
    ``grad_norm_interval``.

    The schedule: constant learning rate for the first half, linear decay
    to 0 over the second; a validation every ``val_interval`` iterations
    (default: once, at the end) and a checkpoint at every validation and
    every :data:`CHECKPOINT_INTERVAL` iterations, so a killed run resumes
    from the last.

    Returns:
        dict: The options (``Config.merge_from_dict`` keys).
    """
    from mmengine.config import Config
    leaf = Config.fromfile(toy_config(spec))
    layout = 'paired' if spec['model'] == 'pix2pix' else 'unpaired'
    options: Dict[str, Any] = {}
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options.update({
            f'{name}.dataset.data_root': osp.join(spec['data_root'], layout),
            f'{name}.num_workers': 0,
            f'{name}.persistent_workers': False})
    options['train_dataloader.batch_size'] = spec['batch_size']
    segmenters = spec['segmenters']

    def repointed(segmenter: dict) -> dict:
        role = SEGMENTER_ROLES.get(osp.basename(segmenter.get('config', '')))
        return {**segmenter, **segmenters[role]} if role else segmenter

    if leaf.model.get('adv_seg') is not None:
        options['model.adv_seg.segmenter'] = repointed(
            leaf.model.adv_seg.segmenter.to_dict())
    options['model.grad_norm_interval'] = spec.get('grad_norm_interval', 0)
    metrics = []
    for metric in leaf.val_evaluator.to_dict()['metrics']:
        if metric.get('prefix') == 'Colour' and \
                spec.get('color_mode', 'distinct') != 'distinct':
            continue  # colour ranges segment distinct-colour scenes only
        if 'segmenter' in metric:
            metric['segmenter'] = repointed(metric['segmenter'])
        if metric['type'] == 'AdvSegFIDKID':
            metric['cache_dir'] = spec['fid_cache']
        metrics.append(metric)
        if metric.get('prefix') == 'Judge' and 'judge2' in segmenters:
            metrics.append(dict(
                metric, prefix=SECOND_JUDGE_PREFIX,
                segmenter={**metric['segmenter'], **segmenters['judge2']}))
    options['val_evaluator.metrics'] = options['test_evaluator.metrics'] = \
        metrics
    iters = spec['iters']
    val_interval = spec.get('val_interval') or iters
    options.update({
        'train_cfg.max_iters': iters,
        'train_cfg.val_interval': val_interval,
        'param_scheduler': [
            dict(type='LinearLR', start_factor=1.0, end_factor=0.0,
                 by_epoch=False, begin=iters // 2, end=iters)
        ],
        'default_hooks.checkpoint.interval': min(val_interval,
                                                 CHECKPOINT_INTERVAL),
        'default_hooks.logger.interval': max(min(100, iters // 4), 1),
        'randomness': dict(seed=spec['seed'], diff_rank_seed=False),
        'experiment_name': osp.basename(spec['work_dir']),
    })
    options.update(spec['overrides'])
    return options


def build_run_cfg(spec: Dict[str, Any]):
    """The config of one run, loaded as ``tools/train.py`` loads it: its
    leaf (:func:`toy_config`), its work dir and :func:`run_cfg_options`.

    Returns:
        mmengine.config.Config: Ready for :func:`mmadvseg.engine.runs.train`.
    """
    from ..utils.config import load_tool_config
    return load_tool_config(toy_config(spec), 'none', spec['work_dir'],
                            run_cfg_options(spec))


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
    process, through :func:`mmadvseg.engine.runs.train` (work-dir lock,
    clean-up of killed runs, bit-identical resume); write and return
    ``run_dir/result.json``."""
    import torch

    from ..engine.runs import train
    with open(osp.join(run_dir, SPEC_NAME)) as f:
        spec = json.load(f)
    torch.set_num_threads(1)
    start = time.time()
    cfg = build_run_cfg(spec)
    # a run that was killed continues from its last checkpoint; the loop
    # validates every val_interval and at the end
    runner = train(cfg, resume='auto')
    metrics, curves, diagnostics = collect_logs(
        runner.message_hub, cfg.train_cfg.val_interval)
    result = {k: spec[k] for k in ('arm', 'model', 'variant', 'seed',
                                   'iters', 'batch_size', 'overrides',
                                   'settings', 'segmenter_weights')}
    result.update(
        generator=describe_generator(cfg),
        train_time_s=round(time.time() - start, 1),  # with validation
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
    'toy_config', 'run_cfg_options', 'build_run_cfg', 'describe_generator',
    'collect_logs', 'run_single', 'load_result', 'read_json', 'SPEC_NAME',
    'RESULT_NAME'
]

if __name__ == '__main__':  # one run, in a subprocess of the experiment
    run_single(sys.argv[1])
