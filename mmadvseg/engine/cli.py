# Copyright (c) mmadvseg contributors. All rights reserved.
"""The command lines of ``tools/train.py`` and ``tools/test.py``: their
options, and bad input as one ``error:`` line with exit code 1, never a
traceback (:mod:`.runs` has their bodies)."""
import argparse
import os
import sys
from typing import Any, Callable

from ..datasets.image_io import ImageReadError
from ..utils.fileio import FolderLockedError
from .resume import ResumeError
from .runs import RunError, test, train

#: Errors reported as one line by :func:`run_tool`.
USER_ERRORS = (RunError, ResumeError, FolderLockedError, ImageReadError,
               FileNotFoundError, FileExistsError)


def one_line(err: BaseException) -> str:
    """The message of an error, as one line.

    An error raised in a dataloader worker comes back with the worker's
    traceback in its message; its last line is the original message.

    Args:
        err (BaseException): The error.

    Returns:
        str: The message.
    """
    lines = [line for line in str(err).strip().splitlines() if line.strip()]
    line = lines[-1].strip() if lines else type(err).__name__
    name = f'{type(err).__module__}.{type(err).__name__}: '
    return line[len(name):] if line.startswith(name) else line


def run_tool(main: Callable[..., Any], *args, **kwargs) -> int:
    """Run a tool's body; bad input is one ``error:`` line and exit code 1.

    Args:
        main (Callable): :func:`~.runs.train` or :func:`~.runs.test`.
        *args, **kwargs: Its arguments.

    Returns:
        int: The exit code.
    """
    try:
        main(*args, **kwargs)
    except USER_ERRORS as err:
        print(f'error: {one_line(err)}', file=sys.stderr)
        return 1
    return 0


def build_parser(tool: str) -> argparse.ArgumentParser:
    """The command line of ``tools/train.py`` or ``tools/test.py``; the
    options are named after the parameters of :func:`~.runs.train` and
    :func:`~.runs.test`.

    Args:
        tool (str): ``'train'`` or ``'test'``.

    Returns:
        argparse.ArgumentParser: The parser.
    """
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description=dict(train='Train a model', test='Test a checkpoint: '
                         'generated images + metrics JSON')[tool])
    add = parser.add_argument
    add('config', help='config file path')
    if tool == 'train':
        add('--resume', nargs='?', const='auto',
            help='continue the run of the work dir from its latest '
            'checkpoint, or from the given checkpoint')
        add('--amp', action='store_true',
            help='automatic mixed precision (CUDA only)')
        add('--skip-unreadable', action='store_true',
            help='skip training images that cannot be read (named once in '
            'the log, with their count) instead of stopping at the first')
    else:
        add('checkpoint', help='checkpoint file')
        add('--out', help='metrics JSON (default: <work_dir>/metrics.json)')
        add('--image-dir',
            help='generated images (default: <work_dir>/images)')
        add('--overwrite', action='store_true',
            help='replace the images and metrics of an earlier test once '
            'this one is complete (default: refuse)')
    add('--work-dir', help='logs and checkpoints (default: the config\'s '
        'work_dir, or work_dirs/<config name>)')
    add('--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, e.g. '
        'train_cfg.max_epochs=10 model.adv_seg.variant=binary')
    add('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none', help='job launcher')
    add('--local_rank', '--local-rank', type=int, default=0)
    return parser


def run_cli(tool: str) -> int:
    """Parse the command line of ``tools/<tool>.py`` and run it.

    Args:
        tool (str): ``'train'`` or ``'test'``.

    Returns:
        int: The exit code.
    """
    args = vars(build_parser(tool).parse_args())
    os.environ.setdefault('LOCAL_RANK', str(args.pop('local_rank')))
    return run_tool(dict(train=train, test=test)[tool], **args)


__all__ = ['USER_ERRORS', 'one_line', 'run_tool', 'build_parser', 'run_cli']
