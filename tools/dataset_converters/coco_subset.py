# Copyright (c) mmadvseg contributors. All rights reserved.
"""COCO subsets (e.g. the paper's elephant and sheep sets) as sketch data.

Selects the images of COCO 2017 instance annotation files that contain the
chosen categories, splits them into train/test and writes the sketch/photo
pairs in the paired (A|B) and unpaired (trainA/B, testA/B) layouts::

    python tools/dataset_converters/coco_subset.py \\
        --ann data/coco/annotations/instances_train2017.json \\
              data/coco/annotations/instances_val2017.json \\
        --images data/coco/train2017 data/coco/val2017 \\
        --categories elephant --num-test 100 --out data/elephant

Image names are the COCO file stems, which are unique across train2017 and
val2017, so both can be merged (random split) or kept apart with
``--split ann`` (the first annotation file is train, the others test).
"""
import argparse
import sys
from typing import Optional, Sequence

from mmadvseg.datasets.convert_cli import add_conversion_args, convert_coco


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Images of COCO categories -> sketch/photo datasets')
    add_conversion_args(parser)
    parser.add_argument('--ann', nargs='+', required=True,
                        help='COCO instances_*.json file(s)')
    parser.add_argument('--images', nargs='+', required=True,
                        help='image folder of each --ann file (or one for '
                        'all)')
    parser.add_argument('--categories', nargs='+', required=True,
                        help='category names, e.g. elephant sheep')
    parser.add_argument('--match', choices=['any', 'all'], default='any',
                        help='keep images containing any (default) or all '
                        'of the categories')
    parser.add_argument('--min-area', type=float, default=0.0,
                        help='ignore instances smaller than this fraction of '
                        'the image area (default 0: keep all)')
    parser.add_argument('--include-crowd', action='store_true',
                        help='let crowd annotations select images too')
    parser.add_argument('--split', choices=['random', 'ann'],
                        default='random',
                        help='random seeded split (default) or by annotation '
                        'file (first = train, others = test)')
    parser.add_argument('--max-images', type=int, default=None,
                        help='keep at most this many images (seeded sample)')
    parser.add_argument('--out', required=True, help='output dataset root')
    return parser.parse_args(argv)


if __name__ == '__main__':
    sys.exit(convert_coco(parse_args()))
