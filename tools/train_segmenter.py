# Copyright (c) mmadvseg contributors. All rights reserved.
"""Train a small Mask2Former on the procedural toy scenes (mmdet), offline.

``python tools/train_segmenter.py [CONFIG] [--data-root DIR] [--iters N]``

An mmengine runner over mmdet's own components (``CocoPanopticDataset``,
``LoadPanopticAnnotations``, ``CocoPanopticMetric``). The final weights go
to ``WORK_DIR/segmenter.pth`` (written atomically), the checkpoint that
``FrozenPanopticSegmenter(config=CONFIG, checkpoint=...)`` loads like any real
one, with its class counts read from the config; ``WORK_DIR/segmenter.json``
records the settings and the held-out scores (PQ from ``CocoPanopticMetric``;
pixel accuracy and mIoU of the differentiable segmentation maps used by
AdvSegLoss). An existing ``segmenter.pth`` is reused unless ``--force``.

Toy scenes are generated into ``--data-root`` when it holds none yet.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from typing import Any, Dict, Optional

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..'))
if REPO not in sys.path:  # allow `python tools/train_segmenter.py`
    sys.path.insert(0, REPO)

DEFAULT_CONFIG = osp.join(REPO, 'configs', 'segmenters',
                          'mask2former_tiny_toy.py')
CHECKPOINT_NAME = 'segmenter.pth'
REPORT_NAME = 'segmenter.json'


def toy_data_exists(data_root: str) -> bool:
    """Whether ``data_root`` holds toy scenes with panoptic annotations."""
    return all(
        osp.isfile(osp.join(data_root, 'annotations', f'panoptic_{s}.json'))
        for s in ('train', 'test'))


def build_segmenter_cfg(config: str = DEFAULT_CONFIG,
                        data_root: Optional[str] = None,
                        work_dir: Optional[str] = None,
                        iters: Optional[int] = None,
                        batch_size: Optional[int] = None,
                        seed: Optional[int] = None,
                        num_workers: Optional[int] = None,
                        cfg_options: Optional[dict] = None):
    """Load a toy segmenter config and point it at data, work dir, schedule.

    Args:
        config (str): The segmenter config file.
        data_root (str, optional): Toy dataset root (default: the config's).
        work_dir (str, optional): Work directory (default:
            ``work_dirs/<config name>``).
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
    cfg = Config.fromfile(config)
    if data_root is not None:
        data_root = osp.abspath(data_root)
        for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            cfg[name].dataset.data_root = data_root
        for name in ('val_evaluator', 'test_evaluator'):
            cfg[name].ann_file = osp.join(data_root, 'annotations',
                                          'panoptic_test.json')
            cfg[name].seg_prefix = osp.join(data_root, 'panoptic', 'test')
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
    # validation runs once, after training (see train_toy_segmenter)
    cfg.train_cfg.val_interval = cfg.train_cfg.max_iters + 1
    if batch_size is not None:
        cfg.train_dataloader.batch_size = batch_size
    if seed is not None:
        cfg.randomness = dict(seed=seed)
    if num_workers is not None:
        for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            cfg[name].num_workers = num_workers
            cfg[name].persistent_workers = num_workers > 0
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.work_dir = work_dir or osp.join(
        'work_dirs', osp.splitext(osp.basename(config))[0])
    cfg.launcher = 'none'
    return cfg


def _atomic_save(obj: Any, path: str) -> None:
    import torch
    tmp = path + '.partial'
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _atomic_json(obj: Any, path: str) -> None:
    tmp = path + '.partial'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=2, sort_keys=True)
    os.replace(tmp, path)


def load_segmenter_report(work_dir: str) -> Optional[Dict[str, Any]]:
    """The ``segmenter.json`` of a trained segmenter, if any."""
    path = osp.join(work_dir, REPORT_NAME)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def evaluate_toy_segmenter(config: str, checkpoint: str, data_root: str,
                           split: str = 'test') -> Dict[str, float]:
    """Pixel accuracy and mIoU of a trained toy segmenter's soft maps.

    The maps are those AdvSegLoss uses (``FrozenPanopticSegmenter``), their
    argmax compared with the ground truth of the real photos of ``split``.
    """
    from mmadvseg.evaluation.metrics.toy_semantic_accuracy import (
        toy_segmentation_scores,
    )
    from mmadvseg.models.segmenters import FrozenPanopticSegmenter
    segmenter = FrozenPanopticSegmenter(config=config, checkpoint=checkpoint)
    return toy_segmentation_scores(segmenter, data_root, split)


def train_toy_segmenter(work_dir: str,
                        config: str = DEFAULT_CONFIG,
                        data_root: str = 'data/toy',
                        iters: Optional[int] = None,
                        batch_size: Optional[int] = None,
                        seed: Optional[int] = None,
                        num_workers: Optional[int] = 2,
                        force: bool = False,
                        evaluate: bool = True,
                        generate: Optional[dict] = None,
                        cfg_options: Optional[dict] = None,
                        threads: Optional[int] = 1) -> str:
    """Train (or reuse) a toy-scene segmenter and return its checkpoint.

    Args:
        work_dir (str): Work directory; the result is
            ``work_dir/segmenter.pth`` and ``work_dir/segmenter.json``.
        config (str): Segmenter config (mmdet, standalone).
        data_root (str): Toy dataset root (``generate_toy_scenes`` layout).
        iters (int, optional): Training iterations (default: the config's).
        batch_size (int, optional): Batch size (default: the config's).
        seed (int, optional): Seed (default: the config's).
        num_workers (int, optional): Dataloader workers.
        force (bool): Retrain even if ``segmenter.pth`` exists.
        evaluate (bool): Score the model on the test split after training
            (PQ, pixel accuracy, mIoU).
        generate (dict, optional): ``generate_toy_scenes`` arguments used
            when ``data_root`` holds no toy scenes yet (default: 500 train
            and 100 test 64x64 scenes, distinct colours).
        cfg_options (dict, optional): Further config overrides.
        threads (int, optional): ``torch.set_num_threads`` for the run
            (None: leave it). Defaults to 1: on a small shared CPU, several
            processes with several intra-op threads each can run 20-40
            times slower than single-threaded ones.

    Returns:
        str: Path of the checkpoint.
    """
    ckpt_path = osp.join(work_dir, CHECKPOINT_NAME)
    if osp.isfile(ckpt_path) and not force:
        from mmengine.logging import print_log
        print_log(f'Reusing the toy segmenter {ckpt_path} (--force to '
                  'retrain)', logger='current')
        return ckpt_path
    if not toy_data_exists(data_root):
        from mmadvseg.datasets.toy_scenes import generate_toy_scenes
        # the GAN layouts too, so configs/toy finds its data there
        kwargs = dict(num_train=500, num_test=100, size=64, seed=0,
                      color_mode='distinct')
        kwargs.update(generate or {})
        generate_toy_scenes(data_root, **kwargs)

    import mmdet  # noqa: F401  (registers mmdet's components)
    import torch

    prev_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        meta = _train(config, data_root, work_dir, iters, batch_size, seed,
                      num_workers, cfg_options, ckpt_path, evaluate)
    finally:
        torch.set_num_threads(prev_threads)
    _atomic_json(meta, osp.join(work_dir, REPORT_NAME))
    return ckpt_path


def _train(config: str, data_root: str, work_dir: str, iters: Optional[int],
           batch_size: Optional[int], seed: Optional[int],
           num_workers: Optional[int], cfg_options: Optional[dict],
           ckpt_path: str, evaluate: bool) -> Dict[str, Any]:
    """Run the mmdet runner, save the weights; return the report."""
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner

    cfg = build_segmenter_cfg(config, data_root, work_dir, iters, batch_size,
                              seed, num_workers, cfg_options)
    os.makedirs(work_dir, exist_ok=True)
    start = time.time()
    with DefaultScope.overwrite_default_scope('mmdet'):
        runner = Runner.from_cfg(cfg)
        runner.train()
        train_time = time.time() - start
        model = runner.model.module if hasattr(runner.model, 'module') \
            else runner.model
        state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        meta = dict(
            config=osp.relpath(osp.abspath(config), REPO)
            if osp.abspath(config).startswith(REPO) else config,
            iters=int(cfg.train_cfg.max_iters),
            batch_size=int(cfg.train_dataloader.batch_size),
            seed=cfg.randomness.get('seed'),
            data_root=osp.abspath(data_root),
            train_time_s=round(train_time, 1),
            num_params=sum(p.numel() for p in model.parameters()),
            num_things_classes=model.panoptic_head.num_things_classes,
            num_stuff_classes=model.panoptic_head.num_stuff_classes)
        _atomic_save(dict(meta=meta, state_dict=state), ckpt_path)
        if evaluate:
            val = runner.val()
            meta['panoptic'] = {
                k.split('/')[-1]: float(v)
                for k, v in val.items() if isinstance(v, (int, float))
            }
    if evaluate:
        meta['semantic'] = evaluate_toy_segmenter(config, ckpt_path,
                                                  data_root)
    return meta


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Train a tiny Mask2Former on the toy scenes')
    parser.add_argument(
        'config', nargs='?', default=DEFAULT_CONFIG,
        help='segmenter config (default: %(default)s)')
    parser.add_argument('--data-root', default='data/toy',
                        help='toy scenes root, generated if missing')
    parser.add_argument('--work-dir', help='default: work_dirs/<config>')
    parser.add_argument('--iters', type=int, help='training iterations')
    parser.add_argument('--batch-size', type=int)
    parser.add_argument('--seed', type=int)
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--threads', type=int, default=1,
                        help='torch intra-op threads (default: 1)')
    parser.add_argument('--force', action='store_true',
                        help='retrain even if the checkpoint exists')
    parser.add_argument('--no-eval', action='store_true')
    parser.add_argument('--color-mode', default='distinct',
                        choices=['distinct', 'shared'],
                        help='scenes to generate when data-root is empty')
    parser.add_argument('--size', type=int, default=64,
                        help='side of generated scenes')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    work_dir = args.work_dir or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    ckpt = train_toy_segmenter(
        work_dir,
        config=args.config,
        data_root=args.data_root,
        iters=args.iters,
        batch_size=args.batch_size,
        seed=args.seed,
        num_workers=args.num_workers,
        force=args.force,
        evaluate=not args.no_eval,
        generate=dict(color_mode=args.color_mode, size=args.size),
        threads=args.threads)
    report = load_segmenter_report(work_dir)
    print(f'checkpoint: {ckpt}')
    if report is not None:
        print(json.dumps(report, indent=2, sort_keys=True))


if __name__ == '__main__':
    main()
