# Copyright (c) mmadvseg contributors. All rights reserved.
"""Train: ``python tools/train.py CONFIG [--work-dir DIR] [--resume]``."""
import argparse
import os

from mmengine.config import DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmadvseg.utils.config import load_tool_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        help='resume from the latest checkpoint in the work dir, or from '
        'the given checkpoint')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision (CUDA only)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, e.g. '
        'train_cfg.max_epochs=10 model.adv_seg.variant=binary')
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
    cfg = load_tool_config(args.config, args.launcher, args.work_dir,
                           args.cfg_options)
    if args.amp:
        for name, wrapper in cfg.optim_wrapper.items():
            if isinstance(wrapper, dict) and 'type' in wrapper:
                wrapper.update(type='AmpOptimWrapper', loss_scale='dynamic')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume:
        cfg.resume, cfg.load_from = True, args.resume

    runner = Runner.from_cfg(cfg)
    runner.train()
    print_log(f'Checkpoints and logs are in {cfg.work_dir}', logger='current')


if __name__ == '__main__':
    main()
