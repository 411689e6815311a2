# Copyright (c) mmadvseg contributors. All rights reserved.
"""Generate procedural toy scenes: photos, sketches, COCO panoptic GT.

    python tools/dataset_converters/toy_scenes.py data/toy \\
        --num-train 500 --num-test 100 --size 128 --seed 0 \\
        --color-mode distinct

Writes ``paired/{train,test}`` (A|B) and ``unpaired/{train,test}{A,B}`` for
the GANs and ``images/``, ``panoptic/``, ``annotations/panoptic_*.json`` for
mmdet's ``CocoPanopticDataset`` (classes in
``mmadvseg.datasets.TOY_METAINFO``).
"""
import argparse
import sys
import time
from typing import Optional, Sequence

from mmadvseg.datasets.layouts import LAYOUTS
from mmadvseg.datasets.toy_scenes import (
    COLOR_MODES,
    TOY_SKETCHES,
    generate_toy_scenes,
)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Generate toy scenes')
    parser.add_argument('out', help='output dataset root')
    parser.add_argument('--num-train', type=int, default=500)
    parser.add_argument('--num-test', type=int, default=100)
    parser.add_argument('--size', type=int, default=128)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--color-mode', choices=COLOR_MODES,
                        default='distinct',
                        help='distinct: a colour range per class; shared: '
                        'one range for all (shape and texture matter)')
    parser.add_argument('--sketch', choices=TOY_SKETCHES, default='outline',
                        help='rendered outlines (default) or XDoG/Canny of '
                        'the photo')
    parser.add_argument('--layouts', nargs='*', choices=LAYOUTS,
                        default=list(LAYOUTS),
                        help='GAN layouts to write (none: panoptic only)')
    parser.add_argument('--nproc', type=int, default=2)
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        dataset = generate_toy_scenes(
            args.out, args.num_train, args.num_test, args.size, args.seed,
            args.color_mode, args.nproc, args.sketch, args.layouts,
            progress=True)
    except ValueError as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    total = args.num_train + args.num_test
    print(f'{total} scenes in {seconds:.1f} s ({total / seconds:.0f}/s) -> '
          f'{dataset.root}')
    for split in ('train', 'test'):
        print(f'  {split}: {dataset.ann_file(split)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
