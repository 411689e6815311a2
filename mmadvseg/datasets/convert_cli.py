# Copyright (c) mmadvseg contributors. All rights reserved.
"""The bodies of the converter command lines (``tools/dataset_converters``).

:func:`add_conversion_args` adds the options every converter shares (output,
split and sketch options); :func:`run_conversion` converts a selection of
photos with them. ``convert_coco``, ``convert_ade20k`` and
``convert_folder`` are whole converters: each takes the parsed arguments of
its tool, prints progress and a summary, and returns the exit code. Bad
input is one ``error:`` line on stderr and exit code 1, never a traceback.
"""
import argparse
import pickle
import sys
from typing import Optional

from .convert import ConvertSpec, convert_images, make_tasks
from .image_io import RESIZE_MODES
from .layouts import LAYOUTS
from .sketch.methods import add_sketch_args, sketcher_from_args
from .sources import (
    Sources,
    Splits,
    ade20k_sources,
    coco_sources,
    folder_sources,
    subsample,
    train_test_folder_sources,
)

#: Test fraction when a converter splits at random and none is given.
DEFAULT_TEST_RATIO = 0.1


def add_conversion_args(parser: argparse.ArgumentParser,
                        split: bool = True) -> None:
    """Add the options shared by every converter CLI.

    Args:
        parser (argparse.ArgumentParser): Parser to extend.
        split (bool): Add ``--num-test``/``--test-ratio``/``--seed``.
            Defaults to True.
    """
    out = parser.add_argument_group('output')
    out.add_argument('--size', type=int, default=256,
                     help='side of the square output images (default 256)')
    out.add_argument('--resize-mode', choices=RESIZE_MODES, default='stretch',
                     help='stretch (default, as the paper data), centre crop '
                     'then resize, or keep the size (none)')
    out.add_argument('--layouts', nargs='+', choices=LAYOUTS,
                     default=list(LAYOUTS),
                     help='OUT/paired/{train,test} (A|B images) and/or '
                     'OUT/unpaired/{train,test}{A,B}; default both')
    out.add_argument('--nproc', type=int, default=2, help='processes')
    out.add_argument('--overwrite', action='store_true',
                     help='redo images whose outputs exist (default: skip '
                     'them, i.e. resume)')
    out.add_argument('--no-progress', action='store_true',
                     help='hide the progress bar')
    if split:
        out.add_argument('--num-test', type=int, default=None,
                         help='number of test images (random, seeded)')
        out.add_argument('--test-ratio', type=float, default=None,
                         help='fraction of test images if --num-test is not '
                         f'given (default {DEFAULT_TEST_RATIO}; converters '
                         'of datasets with their own split use it when '
                         'neither is given)')
        out.add_argument('--seed', type=int, default=0, help='split seed')
    add_sketch_args(parser)


def _error(message: object) -> int:
    """Print one ``error:`` line; the exit code of a failed command."""
    print(f'error: {message}', file=sys.stderr)
    return 1


def run_conversion(args: argparse.Namespace,
                   sources: Sources,
                   splits: Optional[Splits] = None) -> int:
    """Convert ``sources`` with the options of :func:`add_conversion_args`.

    Args:
        args (argparse.Namespace): Parsed :func:`add_conversion_args` options
            plus ``out``.
        sources (dict[str, str]): Output stem -> source image.
        splits (dict[str, str], optional): Fixed split per name; otherwise
            ``--num-test``/``--test-ratio``/``--seed`` decide.

    Returns:
        int: Exit code, 0 if every image was converted or already done,
        1 if some failed (the others are written) or the options are bad.
    """
    if not sources:
        print('No images selected; nothing to do.', file=sys.stderr)
        return 1
    try:
        sketcher = sketcher_from_args(args)
        if splits is None:
            ratio = args.test_ratio
            if args.num_test is None and ratio is None:
                ratio = DEFAULT_TEST_RATIO
            tasks = make_tasks(sources, args.num_test, ratio, args.seed)
        else:
            tasks = make_tasks(sources, splits=splits)
        spec = ConvertSpec(args.out, sketcher, args.size, args.resize_mode,
                           tuple(args.layouts), args.overwrite)
    except (FileNotFoundError, KeyError, TypeError, ValueError) as err:
        return _error(err)
    num_test = sum(t.split == 'test' for t in tasks)
    print(f'{len(tasks)} images ({len(tasks) - num_test} train, {num_test} '
          f'test) -> {args.out} [{args.sketch}, {args.size}px, '
          f'{" + ".join(args.layouts)}]')
    try:
        report = convert_images(tasks, spec, args.nproc,
                                progress=not args.no_progress)
    except ValueError as err:  # settings differ from the folder's
        return _error(err)
    print(report.summary())
    return 1 if report.failures else 0


def _random_split(args: argparse.Namespace) -> bool:
    """Whether the user asked for a random split."""
    return args.num_test is not None or args.test_ratio is not None


def convert_coco(args: argparse.Namespace) -> int:
    """``tools/dataset_converters/coco_subset.py``: images of COCO
    categories (``--ann``, ``--images``, ``--categories``, ``--match``,
    ``--min-area``, ``--include-crowd``, ``--split``, ``--max-images``).

    Args:
        args (argparse.Namespace): The tool's parsed arguments.

    Returns:
        int: Exit code.
    """
    if args.split == 'ann' and _random_split(args):
        return _error('--num-test/--test-ratio choose a random split; '
                      "--split ann takes the annotation files' split")
    try:
        sources, ann_split = coco_sources(
            args.ann, args.images, args.categories, args.match,
            args.min_area, args.include_crowd)
    except (OSError, ValueError, KeyError) as err:
        return _error(err)
    sources = subsample(sources, args.max_images, args.seed)
    splits = ({n: ann_split[n] for n in sources}
              if args.split == 'ann' else None)
    return run_conversion(args, sources, splits)


def convert_ade20k(args: argparse.Namespace) -> int:
    """``tools/dataset_converters/ade20k_bedroom.py``: images of ADE20K
    scenes (``--index``, ``--root``, ``--scene``); ADE20K's own split unless
    ``--num-test``/``--test-ratio`` ask for a random one.

    Args:
        args (argparse.Namespace): The tool's parsed arguments.

    Returns:
        int: Exit code.
    """
    try:
        sources, splits = ade20k_sources(args.index, args.root, args.scene)
    except (OSError, ValueError, pickle.UnpicklingError) as err:
        return _error(err)
    return run_conversion(args, sources,
                          None if _random_split(args) else splits)


def convert_folder(args: argparse.Namespace) -> int:
    """``tools/dataset_converters/folder_to_sketch.py``: the photos of
    ``src`` (and of ``--test-src`` as the test split).

    Args:
        args (argparse.Namespace): The tool's parsed arguments.

    Returns:
        int: Exit code.
    """
    try:
        if args.test_src is None:
            sources, splits = folder_sources(args.src), None
        else:
            sources, splits = train_test_folder_sources(
                args.src, args.test_src)
    except (OSError, ValueError) as err:
        return _error(err)
    return run_conversion(args, sources, splits)


__all__ = [
    'add_conversion_args', 'run_conversion', 'convert_coco',
    'convert_ade20k', 'convert_folder'
]
