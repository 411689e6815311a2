# Copyright (c) mmadvseg contributors. All rights reserved.
"""Train a config::

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CHECKPOINT]]
        [--amp] [--skip-unreadable] [--cfg-options KEY=VALUE ...]

``--resume`` continues the run of the work dir bit for bit (on CPU) from
the checkpoint ``last_checkpoint`` names. Bad input is one ``error:`` line
and exit code 1 (:func:`mmadvseg.engine.cli.run_tool`).
"""
import argparse
import os
import sys

from mmadvseg.engine.cli import run_tool
from mmadvseg.engine.runs import train
from mmadvseg.utils.config import ConfigOptionsAction


def parse_args() -> dict:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--resume', nargs='?', const='auto',
        help='continue the run of the work dir from its latest checkpoint, '
        'or from the given checkpoint')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision (CUDA only)')
    parser.add_argument(
        '--skip-unreadable', action='store_true',
        help='skip training images that cannot be read (named once in the '
        'log, with their count) instead of stopping at the first')
    parser.add_argument(
        '--work-dir', help='logs and checkpoints (default: the config\'s '
        'work_dir, or work_dirs/<config name>)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=ConfigOptionsAction,
        help='override settings of the config, e.g. '
        'train_cfg.max_epochs=10 model.adv_seg.variant=binary')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = vars(parser.parse_args())
    os.environ.setdefault('LOCAL_RANK', str(args.pop('local_rank')))
    return args


if __name__ == '__main__':
    sys.exit(run_tool(train, **parse_args()))
