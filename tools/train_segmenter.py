# Copyright (c) mmadvseg contributors. All rights reserved.
"""Train a tiny Mask2Former on the procedural toy scenes with mmdet, offline
(``mmadvseg.toy.segmenter``). The toy scenes are generated into
``--data-root`` unless they are there with the asked settings.

    python tools/train_segmenter.py [CONFIG] [--data-root DIR] [--iters N]
"""
import argparse
import json
import os.path as osp

from mmadvseg.toy.scenes import add_toy_scene_args, toy_scenes_from_args
from mmadvseg.toy.segmenter import (
    GUIDE_CONFIG,
    load_segmenter_report,
    train_toy_segmenter,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Train a tiny Mask2Former on the toy scenes')
    parser.add_argument(
        'config', nargs='?', default=GUIDE_CONFIG,
        help='segmenter config, a path or relative to configs/ (default: '
        '%(default)s)')
    parser.add_argument('--data-root', default='data/toy',
                        help='toy scenes root (generated when needed)')
    parser.add_argument('--work-dir', help='default: work_dirs/<config>')
    parser.add_argument('--iters', type=int, help='training iterations')
    parser.add_argument('--batch-size', type=int)
    parser.add_argument('--seed', type=int)
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--threads', type=int, default=1,
                        help='torch intra-op threads (default: 1)')
    parser.add_argument('--force', action='store_true',
                        help='retrain even if a matching checkpoint exists')
    parser.add_argument('--no-eval', action='store_true')
    add_toy_scene_args(parser.add_argument_group('toy scenes'))
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    work_dir = args.work_dir or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    ckpt = train_toy_segmenter(
        work_dir, toy_scenes_from_args(args, args.data_root), args.config,
        iters=args.iters, batch_size=args.batch_size, seed=args.seed,
        num_workers=args.num_workers, force=args.force,
        evaluate=not args.no_eval, threads=args.threads)
    print(f'checkpoint: {ckpt}')
    print(json.dumps(load_segmenter_report(work_dir), indent=2,
                     sort_keys=True))


if __name__ == '__main__':
    main()
