# Copyright (c) mmadvseg contributors. All rights reserved.
"""Generate procedural toy scenes: photos, sketches, labels, COCO panoptic
ground truth (``mmadvseg.toy.ToyScenes``). A folder that already holds the
asked scenes is left as it is.

    python tools/dataset_converters/toy_scenes.py data/toy \\
        --num-train 500 --num-test 100 --size 64 --color-mode distinct
"""
import argparse
import sys
import time

from mmadvseg.toy.scenes import add_toy_scene_args, toy_scenes_from_args


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Generate toy scenes')
    parser.add_argument('out', help='output dataset root')
    parser.add_argument('--nproc', type=int, default=2)
    add_toy_scene_args(parser, seed_flags=('--seed', '--scene-seed'))
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    start = time.perf_counter()
    try:
        scenes = toy_scenes_from_args(args, args.out)
        current = scenes.is_current()
        scenes = scenes.ensure(args.nproc, progress=True)
    except ValueError as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    total = scenes.num_train + scenes.num_test
    print(f'{total} scenes {"already there" if current else "written"} in '
          f'{seconds:.1f} s -> {scenes.root}')
    for split in ('train', 'test'):
        print(f'  {split}: {scenes.ann_file(split)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
