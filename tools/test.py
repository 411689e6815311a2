# Copyright (c) mmadvseg contributors. All rights reserved.
"""Test a checkpoint: generated images + metrics JSON.

``python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]``
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

from mmadvseg.utils.config import load_tool_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save images and logs')
    parser.add_argument(
        '--out', help='metrics JSON (default: <work_dir>/metrics.json)')
    parser.add_argument(
        '--image-dir',
        help='where generated images go (default: <work_dir>/images)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'Checkpoint not found: {args.checkpoint!r}')
    try:  # fail before building anything
        _load_checkpoint(args.checkpoint, map_location='cpu')
    except Exception as err:
        raise RuntimeError(
            f'Cannot read the checkpoint {args.checkpoint!r} '
            f'({type(err).__name__}: {err}): the file is corrupt or not a '
            'PyTorch checkpoint. Use a .pth written by tools/train.py (an '
            'interrupted copy is not one: copy it again).') from err
    cfg = load_tool_config(args.config, args.launcher, args.work_dir,
                           args.cfg_options)
    cfg.load_from = None  # loaded strictly below
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(
            type='SaveTestResultsHook',
            out_dir=args.image_dir,
            metrics_file=args.out)
    ]
    runner = Runner.from_cfg(cfg)
    try:
        runner.load_checkpoint(args.checkpoint, strict=True)
    except (RuntimeError, KeyError) as err:
        raise RuntimeError(
            f'{args.checkpoint!r} is not a checkpoint of this config '
            f'({args.config}): train it with tools/train.py and this config, '
            f'or pick the matching config.\n{err}') from err
    runner.test()


if __name__ == '__main__':
    main()
