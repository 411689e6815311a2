# Copyright (c) mmadvseg contributors. All rights reserved.
"""Train a small Mask2Former on the toy scenes with mmdet, offline.

An mmengine runner over mmdet's own components (``CocoPanopticDataset``,
``LoadPanopticAnnotations``, ``CocoPanopticMetric``). The final weights go
to ``WORK_DIR/segmenter.pth``, a checkpoint that
``FrozenPanopticSegmenter(config=CONFIG, checkpoint=...)`` loads like any
real one; ``WORK_DIR/segmenter.json`` records the settings and the held-out
scores (PQ from ``CocoPanopticMetric``; pixel accuracy and mIoU of the
differentiable maps that AdvSegLoss uses). A segmenter trained with the same
settings is reused.
"""
import hashlib
import json
import os
import os.path as osp
import time
from typing import Any, Dict, Optional

import numpy as np
import torch

from ..utils.config import CONFIGS_DIR, repo_config
from ..utils.fileio import atomic_write
from .scenes import ToyScenes

#: The guide (it trains the GANs), the evaluation segmenter (its wider
#: sibling), the judge (another family) and a second judge (the judge's
#: recipe, another training seed).
GUIDE_CONFIG = 'toy/segmenters/mask2former_tiny_toy.py'
EVAL_CONFIG = 'toy/segmenters/mask2former_tiny-wide_toy.py'
JUDGE_CONFIG = 'toy/segmenters/panoptic_fpn_tiny_toy.py'
SECOND_JUDGE_CONFIG = 'toy/segmenters/panoptic_fpn_tiny-seed3_toy.py'
CHECKPOINT_NAME = 'segmenter.pth'
REPORT_NAME = 'segmenter.json'


def _config_file(config: str) -> str:
    """A config given as a path, or relative to ``configs/``."""
    return config if osp.isfile(config) else repo_config(config)


def build_segmenter_cfg(config: str,
                        scenes: ToyScenes,
                        work_dir: str,
                        iters: Optional[int] = None,
                        batch_size: Optional[int] = None,
                        seed: Optional[int] = None,
                        num_workers: Optional[int] = None,
                        cfg_options: Optional[dict] = None):
    """Load a toy segmenter config and point it at data, work dir, schedule.

    Args:
        config (str): The segmenter config (a path, or relative to
            ``configs/``).
        scenes (ToyScenes): The toy data.
        work_dir (str): Work directory.
        iters (int, optional): Training iterations; the warm-up + cosine
            schedule is rescaled to it.
        batch_size (int, optional): Training batch size.
        seed (int, optional): Random seed.
        num_workers (int, optional): Dataloader workers (0: in-process).
        cfg_options (dict, optional): Further ``--cfg-options`` overrides.

    Returns:
        mmengine.config.Config: The config, for ``Runner.from_cfg``.
    """
    from mmengine.config import Config
    cfg = Config.fromfile(_config_file(config))
    data_root = osp.abspath(scenes.root)
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].dataset.data_root = data_root
        if num_workers is not None:
            cfg[name].num_workers = num_workers
            cfg[name].persistent_workers = num_workers > 0
    for name in ('val_evaluator', 'test_evaluator'):
        cfg[name].ann_file = scenes.ann_file('test')
        cfg[name].seg_prefix = scenes.seg_dir('test')
    if iters is not None:
        warmup = min(50, max(iters // 10, 1))
        cfg.train_cfg.max_iters = iters
        cfg.param_scheduler = [
            dict(type='LinearLR', start_factor=0.01, by_epoch=False,
                 begin=0, end=warmup),
            dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=False,
                 begin=warmup, end=iters)
        ]
        cfg.default_hooks.checkpoint.interval = iters
        cfg.default_hooks.logger.interval = min(
            cfg.default_hooks.logger.interval, max(iters // 4, 1))
        cfg.log_processor.window_size = cfg.default_hooks.logger.interval
    # no validation while training (the loop would validate at the end):
    # train_toy_segmenter scores the saved weights once
    cfg.train_cfg.val_begin = cfg.train_cfg.max_iters + 1
    if batch_size is not None:
        cfg.train_dataloader.batch_size = batch_size
    if seed is not None:
        cfg.randomness = dict(seed=seed)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    return cfg


def build_toy_segmenter(config: str, checkpoint: str) -> torch.nn.Module:
    """A trained toy segmenter as a frozen module with the
    ``FrozenPanopticSegmenter`` interface: Mask2Former configs give the
    differentiable ``FrozenPanopticSegmenter``, others (Panoptic FPN) a
    ``PanopticJudge`` (argmax predictions).

    Args:
        config (str): Segmenter config (a path, or relative to
            ``configs/``).
        checkpoint (str): Its trained weights.

    Returns:
        nn.Module: The segmenter.
    """
    from mmengine.config import Config
    config = _config_file(config)
    if Config.fromfile(config).model.type in ('Mask2Former', 'MaskFormer'):
        from ..models.segmenters import FrozenPanopticSegmenter
        return FrozenPanopticSegmenter(config=config, checkpoint=checkpoint)
    from ..evaluation.panoptic_judge import PanopticJudge
    return PanopticJudge(config=config, checkpoint=checkpoint)


def load_segmenter_report(work_dir: str) -> Optional[Dict[str, Any]]:
    """The ``segmenter.json`` of a trained segmenter, if any."""
    try:
        with open(osp.join(work_dir, REPORT_NAME)) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return None


@torch.no_grad()
def toy_segmentation_scores(segmenter: torch.nn.Module,
                            scenes: ToyScenes,
                            split: str = 'test',
                            batch_size: int = 16) -> Dict[str, float]:
    """Scores of a segmenter on the real photos of a toy-scene split.

    Args:
        segmenter (nn.Module): A ``FrozenPanopticSegmenter`` (BGR [-1, 1]
            in, ``(probs, binary)`` out, ``num_things``).
        scenes (ToyScenes): The toy data.
        split (str): ``'train'`` or ``'test'``.
        batch_size (int): Images per forward pass.

    Returns:
        dict[str, float]: ``mIoU``, ``aAcc`` (also ``_thing``, ``_stuff``),
        ``mIoU_binary``, ``aAcc_binary``, ``num_images``.
    """
    import cv2

    from ..evaluation.functional import thing_stuff_scores
    from ..evaluation.metrics.base import (
        segment_labels,
        sparse_confusion,
        sum_confusion,
    )
    num_classes, num_things = segmenter.num_classes, segmenter.num_things
    device = next(iter(segmenter.buffers())).device
    names = scenes.names(split)
    classes, binary = [], []
    for start in range(0, len(names), batch_size):
        batch = names[start:start + batch_size]
        paths = [osp.join(scenes.img_dir(split), f'{n}.png') for n in batch]
        rgb = torch.from_numpy(
            np.stack([cv2.imread(p) for p in paths])[..., ::-1].copy())
        rgb = rgb.permute(0, 3, 1, 2).float().div(255).to(device)
        pred, pred_bin = segment_labels(segmenter, rgb)
        for i, path in enumerate(paths):
            gt = torch.from_numpy(ToyScenes.read_labels(path)).long()
            classes.append(sparse_confusion(gt, pred[i], num_classes))
            binary.append(
                sparse_confusion((gt >= num_things).long(), pred_bin[i], 2))
    scores = thing_stuff_scores(
        sum_confusion(classes, num_classes), sum_confusion(binary, 2),
        num_things)
    scores['num_images'] = len(names)
    return scores


def train_toy_segmenter(work_dir: str,
                        scenes: ToyScenes,
                        config: str = GUIDE_CONFIG,
                        iters: Optional[int] = None,
                        batch_size: Optional[int] = None,
                        seed: Optional[int] = None,
                        num_workers: int = 2,
                        force: bool = False,
                        evaluate: bool = True,
                        threads: Optional[int] = 1,
                        test_scenes: Optional[ToyScenes] = None,
                        record_dir: Optional[str] = None) -> str:
    """Train (or reuse) a toy-scene segmenter and return its checkpoint.

    The toy data is generated first unless it is current
    (:meth:`ToyScenes.ensure`). A checkpoint whose report records the same
    settings (config, data, schedule, seed) is reused unless ``force``;
    with ``record_dir``, also one recorded there.

    Args:
        work_dir (str): Work directory; the result is
            ``work_dir/segmenter.pth`` and ``work_dir/segmenter.json``.
        scenes (ToyScenes): The toy data.
        config (str): Segmenter config (mmdet, standalone): a path, or
            relative to ``configs/``. Defaults to the guide's.
        iters (int, optional): Training iterations (default: the config's).
        batch_size (int, optional): Batch size (default: the config's).
        seed (int, optional): Seed (default: the config's).
        num_workers (int): Dataloader workers. Defaults to 2.
        force (bool): Retrain even if a matching checkpoint exists.
        evaluate (bool): Score the model on the test split after training
            (PQ, pixel accuracy, mIoU).
        threads (int, optional): ``torch.set_num_threads`` for the run
            (None: leave it). Defaults to 1: on a small shared CPU, several
            processes with several intra-op threads each can run 20-40
            times slower than single-threaded ones.
        test_scenes (ToyScenes, optional): Scenes whose test split gives the
            pixel accuracy and mIoU of the report (default: ``scenes``; a
            judge trained on scenes of another seed is scored on the
            scenes it will judge).
        record_dir (str, optional): A folder kept with the code where
            evaluated segmenters are kept, one folder per config and
            settings (``<config stem>-<settings digest>``): a work dir
            without a matching checkpoint takes the recorded one instead
            of training (trainings on other CPUs can give other weights,
            so a grid continued from a fresh checkout keeps its
            segmenters), and a segmenter trained here is recorded unless
            one is already (``force`` retrains in ``work_dir`` only).

    Returns:
        str: Path of the checkpoint.
    """
    from mmengine.logging import print_log
    scenes = scenes.ensure()
    cfg = build_segmenter_cfg(config, scenes, work_dir, iters, batch_size,
                              seed, num_workers)
    config_file = osp.abspath(_config_file(config))
    settings = dict(
        config=(osp.relpath(config_file, CONFIGS_DIR)
                if config_file.startswith(CONFIGS_DIR) else config_file),
        iters=int(cfg.train_cfg.max_iters),
        batch_size=int(cfg.train_dataloader.batch_size),
        seed=cfg.randomness.get('seed'),
        scenes=scenes.settings())
    settings = json.loads(json.dumps(settings))
    ckpt_path = osp.join(work_dir, CHECKPOINT_NAME)
    record = None
    if record_dir is not None:
        key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
        record = osp.join(record_dir, osp.splitext(osp.basename(
            config_file))[0] + '-' + key.hexdigest()[:12])
        if not force:
            _copy_segmenter(record, work_dir, settings)
    report = load_segmenter_report(work_dir)
    if not force and osp.isfile(ckpt_path) and report is not None \
            and report.get('settings') == settings:
        print_log(f'Reusing the toy segmenter {ckpt_path} (--force to '
                  'retrain)', logger='current')
        if record is not None and 'semantic' in report:
            _copy_segmenter(work_dir, record, settings)
        return ckpt_path
    # a checkpoint whose evaluation was interrupted is not trained again
    trained = None if force else _checkpoint_meta(ckpt_path)
    prev_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        if trained is not None and trained.get('settings') == settings:
            print_log(f'{ckpt_path} is trained with these settings; '
                      'evaluating it', logger='current')
            report = dict(trained)
            cfg.load_from = ckpt_path
        else:
            if osp.isfile(ckpt_path):
                print_log(f'{ckpt_path} was trained with other settings; '
                          'training it again', logger='current')
            report = _train(cfg, ckpt_path, settings)
        if evaluate:
            report['panoptic'] = _panoptic_scores(cfg)
    finally:
        torch.set_num_threads(prev_threads)
    if evaluate:
        report['semantic'] = toy_segmentation_scores(
            build_toy_segmenter(config_file, ckpt_path),
            (test_scenes or scenes).ensure())
    with atomic_write(osp.join(work_dir, REPORT_NAME), 'w') as f:
        json.dump(report, f, indent=2, sort_keys=True)
    if record is not None and evaluate:
        _copy_segmenter(work_dir, record, settings)
    return ckpt_path


def _copy_segmenter(src: str, dst: str, settings: Dict[str, Any]) -> None:
    """Copy the segmenter (checkpoint and report) in folder ``src`` to
    folder ``dst`` when ``src``'s report has ``settings`` and ``dst`` has
    no segmenter with them (the report last: a copy cut short is not
    taken for one)."""
    import shutil
    src_report, dst_report = (load_segmenter_report(d) for d in (src, dst))
    if (src_report is None or src_report.get('settings') != settings
            or not osp.isfile(osp.join(src, CHECKPOINT_NAME))
            or (dst_report is not None and osp.isfile(osp.join(
                dst, CHECKPOINT_NAME))
                and dst_report.get('settings') == settings)):
        return
    for name in (CHECKPOINT_NAME, REPORT_NAME):
        with atomic_write(osp.join(dst, name)) as tmp:
            shutil.copyfile(osp.join(src, name), tmp)


def weights_digest(checkpoint: str) -> str:
    """SHA-256 of a checkpoint's ``state_dict`` (names, dtypes, shapes and
    values; not its meta data, which holds times), for telling whether two
    trainings made the same weights.

    Args:
        checkpoint (str): A ``.pth`` file.

    Returns:
        str: The first 16 hex digits of the digest.
    """
    state = torch.load(checkpoint, map_location='cpu')
    state = state.get('state_dict', state)
    digest = hashlib.sha256()
    for name in sorted(state):
        tensor = state[name].contiguous()
        digest.update(f'{name}|{tensor.dtype}|{tuple(tensor.shape)}'.encode())
        digest.update(tensor.numpy().tobytes())
    return digest.hexdigest()[:16]


def _checkpoint_meta(ckpt_path: str) -> Optional[Dict[str, Any]]:
    """The ``meta`` a trained toy segmenter's checkpoint carries, if any."""
    if not osp.isfile(ckpt_path):
        return None
    try:
        return torch.load(ckpt_path, map_location='cpu').get('meta')
    except Exception:  # unreadable: trained again
        return None


def _train(cfg: Any, ckpt_path: str,
           settings: Dict[str, Any]) -> Dict[str, Any]:
    """Run the mmdet runner, save the weights; return the report."""
    import mmdet  # noqa: F401  (registers mmdet's components)
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner

    os.makedirs(cfg.work_dir, exist_ok=True)
    start = time.time()
    with DefaultScope.overwrite_default_scope('mmdet'):
        runner = Runner.from_cfg(cfg)
        runner.train()
    model = runner.model.module if hasattr(runner.model, 'module') \
        else runner.model
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    report = dict(
        train_time_s=round(time.time() - start, 1),
        num_params=sum(p.numel() for p in model.parameters()),
        num_things_classes=model.panoptic_fusion_head.num_things_classes,
        num_stuff_classes=model.panoptic_fusion_head.num_stuff_classes,
        settings=settings)
    with atomic_write(ckpt_path) as tmp:
        torch.save(dict(meta=report, state_dict=state), tmp)
    return report


def _panoptic_scores(cfg: Any) -> Dict[str, float]:
    """PQ / SQ / RQ of the trained weights (``cfg.load_from`` or the
    runner's last training) on the test split, by mmdet's metric."""
    import mmdet  # noqa: F401
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner
    with DefaultScope.overwrite_default_scope('mmdet'):
        cfg = cfg.copy()
        cfg.load_from = cfg.get('load_from') or osp.join(cfg.work_dir,
                                                         CHECKPOINT_NAME)
        metrics = Runner.from_cfg(cfg).val()
    return {k.split('/')[-1]: float(v) for k, v in metrics.items()
            if isinstance(v, (int, float))}


__all__ = [
    'GUIDE_CONFIG', 'EVAL_CONFIG', 'JUDGE_CONFIG', 'SECOND_JUDGE_CONFIG',
    'build_segmenter_cfg', 'build_toy_segmenter',
    'train_toy_segmenter', 'toy_segmentation_scores', 'load_segmenter_report',
    'weights_digest'
]
