# Copyright (c) mmadvseg contributors. All rights reserved.
"""The body of ``tools/colorize.py``: argument checks, the model, the
optional sketch extraction and grid, the run, the summary.

Bad arguments and unusable model files are one ``error:`` line on stderr
and exit code 1 before any image is read; unreadable inputs are named in
the summary and also give exit code 1, after every good input is written.
An ONNX model runs without importing torch or OpenMMLab.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional, Sequence, Tuple

import cv2

from ..datasets.record import read_settings, settings_path
from ..datasets.sketch.methods import (
    SKETCH_METHODS,
    Sketcher,
    build_sketcher,
    sketcher_from_args,
)
from .colorizer import Colorizer, resolve_seed
from .folder import colorize_to_folder
from .spec import ModelFileError


def split_model_args(values: Sequence[str]
                     ) -> Tuple[str, Optional[str], List[str]]:
    """``MODEL [CHECKPOINT] INPUT [INPUT ...]``: a config (``.py``) takes
    the next value as its checkpoint; a work dir or ``.onnx`` file does
    not.

    Args:
        values (Sequence[str]): The positional arguments.

    Returns:
        tuple: ``(model, checkpoint or None, inputs)``.

    Raises:
        ValueError: No input (or no checkpoint after a config).
    """
    model, rest = values[0], list(values[1:])
    checkpoint = None
    if model.endswith('.py'):
        if not rest:
            raise ValueError(f'{model} needs its checkpoint: CONFIG '
                             'CHECKPOINT INPUT [INPUT ...]')
        checkpoint = rest.pop(0)
    if not rest:
        raise ValueError('no INPUT: give image files or folders after the '
                         'model')
    return model, checkpoint, rest


def recorded_sketcher(roots: Sequence[str]) -> Tuple[Sketcher, str]:
    """The sketch function a converter recorded for a dataset.

    Args:
        roots (Sequence[str]): Folders to look in for ``conversion.json``
            (a dataset root, or a layout folder and its parent).

    Returns:
        tuple: The :class:`Sketcher` and the record's path.

    Raises:
        ValueError: No usable record.
    """
    for root in roots:
        settings = read_settings(root)
        if settings is None:
            continue
        path = settings_path(root)
        if settings.get('sketch') not in SKETCH_METHODS or not isinstance(
                settings.get('params'), dict):
            raise ValueError(
                f'{path} records no sketch extraction (sketch='
                f'{settings.get("sketch")!r}) that a photo can repeat; pass '
                '--sketch and its options')
        return build_sketcher(settings['sketch'], **settings['params']), path
    raise ValueError(
        f'no conversion.json in {" or ".join(roots) or "the model"}: pass '
        'the converted dataset folder (--dataset DIR) or --sketch and its '
        'options')


def photo_sketcher(args: argparse.Namespace,
                   config: str) -> Tuple[Sketcher, str]:
    """The sketch function of ``--from-photo``: the ``--sketch`` options
    when given, else the record of ``--dataset`` or of the config's test
    data."""
    if args.sketch is not None:
        return sketcher_from_args(args), 'the --sketch options'
    roots = [args.dataset] if args.dataset else []
    if not roots and config:
        from .torch_backend import load_config
        dataset = load_config(config).test_dataloader.get('dataset', {})
        root = dataset.get('data_root')
        roots = [root, osp.dirname(osp.normpath(root))] if root else []
    return recorded_sketcher(roots)


def colorize_command(args: argparse.Namespace) -> int:
    """Run ``tools/colorize.py`` with its parsed arguments.

    Args:
        args (argparse.Namespace): ``model_args`` (MODEL [CHECKPOINT] INPUT
            ...), ``out``, ``device``, ``precision``, ``batch_size``,
            ``size``, ``seed``, ``grid``, ``from_photo``, ``dataset``,
            ``no_progress`` and the sketch options.

    Returns:
        int: 0 when every input was colorized, else 1.
    """
    try:
        model, checkpoint, inputs = split_model_args(args.model_args)
        if args.size is not None and args.size < 8:
            raise ValueError(f'--size must be at least 8, got {args.size}')
        if args.batch_size < 1:
            raise ValueError(f'--batch-size must be >= 1, got '
                             f'{args.batch_size}')
        if (args.sketch is not None or args.dataset) and not args.from_photo:
            raise ValueError('--sketch and --dataset need --from-photo')
        colorizer = Colorizer(model, checkpoint, args.device,
                              args.precision)
        sketcher = note = None
        if args.from_photo:
            sketcher, source = photo_sketcher(args, colorizer.config)
            note = f'sketches from photos with {source}: {sketcher.settings()}'
        grid = None
        if args.grid:
            from .grid import grid_maker
            grid, grid_note = grid_maker(colorizer.config, args.device)
            note = '\n'.join(filter(None, [note, grid_note]))
    except (ModelFileError, ValueError, TypeError, FileNotFoundError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    seed = resolve_seed(args.seed)
    if colorizer.stochastic:
        how = 'given' if args.seed is not None else \
            f'random; --seed {seed} repeats this run'
        print(f'test-time dropout seed {seed} ({how})')
    if note:
        print(note)
    cv2.setLogLevel(2)  # errors only: unreadable inputs are reported below
    try:
        report = colorize_to_folder(
            colorizer, inputs, args.out, seed, batch_size=args.batch_size,
            size=args.size, sketcher=sketcher, grid=grid,
            progress=not args.no_progress)
    except ValueError as err:  # clashing output names: nothing written
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'{len(report.written)} colorized into {args.out}, '
          f'{len(report.failed)} failed')
    for _, reason in report.failed:
        print(f'  FAILED {reason}', file=sys.stderr)
    if not report.written and not report.failed:
        print(f'error: no images found in {" ".join(inputs)}',
              file=sys.stderr)
        return 1
    return 1 if report.failed else 0


__all__ = ['colorize_command', 'split_model_args', 'recorded_sketcher',
           'photo_sketcher']
