# Copyright (c) mmadvseg contributors. All rights reserved.
"""The offline demo (``make demo``): AdvSegLoss vs baseline on procedural toy
scenes, in small, on a CPU, with no download (``mmadvseg.toy.demo``).

    python tools/demo.py [--work-dir work_dirs/demo] [--iters 100] [--verbose]
"""
import argparse
import os

from mmadvseg.toy import COLOR_MODES, ToyScenes
from mmadvseg.toy.demo import demo_experiment, run_demo


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='The offline demo')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--iters', type=int, default=100,
                        help='GAN training iterations per model')
    parser.add_argument('--segmenter-iters', type=int, default=400)
    parser.add_argument('--num-train', type=int,
                        default=ToyScenes.num_train)
    parser.add_argument('--num-test', type=int, default=ToyScenes.num_test)
    parser.add_argument('--color-mode', default=ToyScenes.color_mode,
                        choices=COLOR_MODES)
    parser.add_argument('--verbose', action='store_true',
                        help='print the training logs (default: progress '
                        'bars; the logs go to WORK_DIR/demo.log)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    exp = demo_experiment(args.work_dir, args.iters, args.segmenter_iters,
                          num_train=args.num_train, num_test=args.num_test,
                          color_mode=args.color_mode)
    try:
        print(run_demo(exp, verbose=args.verbose))
    except RuntimeError as err:
        raise SystemExit(f'error: {err}') from None


if __name__ == '__main__':
    os.environ.setdefault('OMP_NUM_THREADS', '2')
    main()
