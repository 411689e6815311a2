# Copyright (c) mmadvseg contributors. All rights reserved.
"""AdvSegLoss vs baseline on procedural toy scenes, offline (see
``mmadvseg.toy.experiment``; results in ``configs/toy/README.md``).

    python tools/analysis/toy_benchmark.py --work-dir work_dirs/toy_bench \\
        --models pix2pix --seeds 0 1 2 --iters 150 --jobs 2
"""
import argparse
import sys

from mmengine.config import DictAction

from mmadvseg.toy.experiment import ToyExperiment, run_experiment
from mmadvseg.toy.results import MODELS, VARIANTS
from mmadvseg.toy.scenes import add_toy_scene_args, toy_scenes_from_args


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='AdvSegLoss vs baseline on toy scenes')
    parser.add_argument('--work-dir', default='work_dirs/toy_bench')
    parser.add_argument('--models', nargs='+', default=list(MODELS),
                        choices=MODELS)
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS),
                        choices=VARIANTS)
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--iters', type=int, default=400)
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--segmenter-iters', type=int, default=1000)
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs in parallel (each single-threaded)')
    parser.add_argument(
        '--adv-seg-options', nargs='+', action=DictAction, default={},
        help='KEY=VALUE config overrides for the AdvSegLoss runs, parsed as '
        '--cfg-options, e.g. model.adv_seg.loss_weights.multiclass=10 '
        'model.adv_seg.condition=None')
    parser.add_argument('--inception', help='FID Inception weight file')
    parser.add_argument('--force-segmenters', action='store_true')
    parser.add_argument('--rerun', action='store_true')
    parser.add_argument('--collect-only', action='store_true',
                        help='only tabulate the finished runs of the grid')
    add_toy_scene_args(parser.add_argument_group('toy scenes'))
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    exp = ToyExperiment(
        work_dir=args.work_dir, models=args.models, variants=args.variants,
        seeds=args.seeds, iters=args.iters, batch_size=args.batch_size,
        scenes=toy_scenes_from_args(args),
        segmenter_iters=args.segmenter_iters, jobs=args.jobs,
        overrides=args.adv_seg_options, inception=args.inception,
        force_segmenters=args.force_segmenters, rerun=args.rerun,
        collect_only=args.collect_only)
    print(run_experiment(exp, ' '.join(sys.argv))['markdown'])


if __name__ == '__main__':
    main()
