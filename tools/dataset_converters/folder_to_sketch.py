# Copyright (c) mmadvseg contributors. All rights reserved.
"""Any folder of photos -> sketches -> paired and unpaired layouts.

Images are found recursively (mmagic's image suffixes); the output name is
the path relative to ``SRC`` without suffix, ``/`` replaced by ``__``::

    python tools/dataset_converters/folder_to_sketch.py photos/ data/mine \\
        --num-test 50 --sketch canny --size 256

``--test-src DIR`` takes the test split from a second folder instead of a
random split of ``SRC``.
"""
import argparse
import os.path as osp
import sys
from typing import Dict, Optional, Sequence

from mmadvseg.datasets.layouts import scan_images
from mmadvseg.datasets.sketch.extract import (
    add_conversion_args,
    run_conversion,
)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='A folder of photos -> sketch/photo datasets')
    parser.add_argument('src', help='folder of photos (searched recursively)')
    parser.add_argument('out', help='output dataset root')
    parser.add_argument('--test-src', default=None,
                        help='folder of test photos (default: a random '
                        'split of SRC)')
    add_conversion_args(parser)
    return parser.parse_args(argv)


def folder_sources(folder: str) -> Dict[str, str]:
    """``{name: path}`` of the images under ``folder``."""
    if not osp.isdir(folder):
        raise NotADirectoryError(f'{folder}: no such folder')
    sources = {}
    for path in scan_images(folder):
        rel = osp.splitext(osp.relpath(path, folder))[0]
        name = rel.replace(osp.sep, '__')
        if name in sources:
            raise ValueError(f'{path} and {sources[name]} map to the same '
                             'output name; rename one of them')
        sources[name] = path
    return sources


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        sources = folder_sources(args.src)
        splits = None
        if args.test_src is not None:
            test = folder_sources(args.test_src)
            clash = sorted(set(test) & set(sources))
            if clash:
                raise ValueError(f'names in both folders: {clash[:3]}')
            splits = {**{n: 'train' for n in sources},
                      **{n: 'test' for n in test}}
            sources.update(test)
    except (OSError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    return run_conversion(args, sources, splits)


if __name__ == '__main__':
    sys.exit(main())
