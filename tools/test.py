# Copyright (c) mmadvseg contributors. All rights reserved.
"""Test a checkpoint: generated images + metrics JSON::

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
        [--image-dir DIR] [--overwrite] [--cfg-options KEY=VALUE ...]

The images replace the folder's content only once the test is complete;
``metrics.json`` records the checkpoint (SHA-256) and config that made
them. Bad input is one ``error:`` line and exit code 1
(:func:`mmadvseg.engine.cli.run_tool`).
"""
import argparse
import os
import sys

from mmadvseg.engine.cli import run_tool
from mmadvseg.engine.runs import test
from mmadvseg.utils.config import ConfigOptionsAction


def parse_args() -> dict:
    parser = argparse.ArgumentParser(
        description='Test a checkpoint: generated images + metrics JSON')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out', help='metrics JSON (default: <work_dir>/metrics.json)')
    parser.add_argument(
        '--image-dir', help='generated images (default: <work_dir>/images)')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='replace the images and metrics of an earlier test once this '
        'one is complete (default: refuse)')
    parser.add_argument(
        '--work-dir', help='where metrics.json and images/ go (default: the '
        'config\'s work_dir, or work_dirs/<config name>)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=ConfigOptionsAction,
        help='override settings of the config, e.g. '
        'test_dataloader.batch_size=1')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = vars(parser.parse_args())
    os.environ.setdefault('LOCAL_RANK', str(args.pop('local_rank')))
    return args


if __name__ == '__main__':
    sys.exit(run_tool(test, **parse_args()))
