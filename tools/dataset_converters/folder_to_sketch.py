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
import sys
from typing import Optional, Sequence

from mmadvseg.datasets.convert_cli import add_conversion_args, convert_folder


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='A folder of photos -> sketch/photo datasets')
    add_conversion_args(parser)
    parser.add_argument('src', help='folder of photos (searched recursively)')
    parser.add_argument('out', help='output dataset root')
    parser.add_argument('--test-src', default=None,
                        help='folder of test photos (default: a random '
                        'split of SRC)')
    return parser.parse_args(argv)


if __name__ == '__main__':
    sys.exit(convert_folder(parse_args()))
