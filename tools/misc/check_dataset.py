# Copyright (c) mmadvseg contributors. All rights reserved.
"""Check the image folders a config's datasets point at.

    python tools/misc/check_dataset.py CONFIG [--cfg-options ...] [--strict]

Image counts and sizes, unreadable files (also truncated JPEGs and those
libjpeg reports damaged), A|B images of odd width, PNGs with alpha,
unpaired A/B mismatches and leftovers of an interrupted conversion are
reported per dataset (see :mod:`mmadvseg.datasets.check`); a JPEG whose
pixels turn brighter, darker or tinted from one block on (the mark of a
garbled DC value, which decodes without an error) gets a warning.
Exit code 0 if no error was found (warnings allowed; with ``--strict``
warnings are errors too), 1 otherwise.
"""
import argparse
import sys
from typing import Optional, Sequence

from mmadvseg.datasets.check import check_dataset_config
from mmadvseg.utils.config import ConfigOptionsAction


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Check the datasets a config points at')
    parser.add_argument('config', help='config file')
    parser.add_argument('--cfg-options', nargs='+', action=ConfigOptionsAction,
                        help='override config settings, e.g. '
                        'train_dataloader.dataset.data_root=data/x')
    parser.add_argument('--strict', action='store_true',
                        help='treat warnings as errors')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    return check_dataset_config(args.config, args.cfg_options, args.strict)


if __name__ == '__main__':
    sys.exit(main())
