# Copyright (c) mmadvseg contributors. All rights reserved.
"""AdvSegLoss vs baseline on procedural toy scenes, offline (see
``mmadvseg.toy.experiment``; results in ``configs/toy/README.md``).

    python tools/analysis/toy_benchmark.py --work-dir work_dirs/toy_bench \\
        --models pix2pix --seeds 0 1 2 --iters 150 --jobs 2
    python tools/analysis/toy_benchmark.py \\
        --protocol configs/toy/protocols/evidence_distinct.py --jobs 2
"""
import argparse
import sys
from dataclasses import replace

from mmengine.config import DictAction

from mmadvseg.toy.demo import save_arm_grid
from mmadvseg.toy.experiment import run_experiment
from mmadvseg.toy.protocol import (
    TOY_GANS,
    TOY_VARIANTS,
    ToyExperiment,
    grid_arms,
    load_protocol,
)
from mmadvseg.toy.scenes import add_toy_scene_args, toy_scenes_from_args
from mmadvseg.utils.fileio import FolderLockedError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='AdvSegLoss vs baseline on toy scenes')
    parser.add_argument(
        '--protocol', help='a protocol file (configs/toy/protocols/): its '
        'arms, seeds, schedule and scenes; the options below given on the '
        'command line override it')
    parser.add_argument('--work-dir', help='default: work_dirs/toy_bench')
    parser.add_argument('--models', nargs='+', choices=TOY_GANS,
                        help='default: all (a grid with --variants)')
    parser.add_argument('--variants', nargs='+', choices=TOY_VARIANTS,
                        help='default: all')
    parser.add_argument('--seeds', nargs='+', type=int,
                        help='default: 0 1 2')
    parser.add_argument('--iters', type=int, help='default: 400')
    parser.add_argument('--batch-size', type=int, help='default: 4')
    parser.add_argument('--segmenter-iters', type=int, help='default: 1000')
    parser.add_argument('--val-interval', type=int,
                        help='validate every N iterations (curves)')
    parser.add_argument('--grad-norm-interval', type=int,
                        help='gradient-norm diagnostics every N iterations '
                        '(default 25; 0: off)')
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
    parser.add_argument(
        '--grid-seed', type=int, metavar='SEED',
        help='also draw the first test sketches as every arm of SEED '
        'colorizes them, side by side (<work-dir>/grid_seed<SEED>.png; the '
        "runs' weights must be in --work-dir)")
    add_toy_scene_args(parser.add_argument_group('toy scenes'))
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    options = dict(
        work_dir=args.work_dir, seeds=args.seeds, iters=args.iters,
        batch_size=args.batch_size, segmenter_iters=args.segmenter_iters,
        val_interval=args.val_interval,
        grad_norm_interval=args.grad_norm_interval, jobs=args.jobs,
        inception=args.inception,
        force_segmenters=args.force_segmenters or None,
        rerun=args.rerun or None, collect_only=args.collect_only or None)
    scene_options = {k: v for k, v in vars(args).items()
                     if k.startswith('scene_') and v is not None}
    grid = args.models or args.variants or args.adv_seg_options
    if args.protocol:
        exp = load_protocol(args.protocol, **options)
        if scene_options:
            options['scenes'] = replace(
                exp.scenes, **{k[len('scene_'):]: v
                               for k, v in scene_options.items()})
        if grid:
            options['arms'] = grid_arms(args.models or TOY_GANS,
                                        args.variants or TOY_VARIANTS,
                                        args.adv_seg_options)
        exp = replace(exp, **{k: v for k, v in options.items()
                              if v is not None})
    else:
        exp = ToyExperiment(
            arms=grid_arms(args.models or TOY_GANS,
                           args.variants or TOY_VARIANTS,
                           args.adv_seg_options),
            scenes=toy_scenes_from_args(args),
            **{k: v for k, v in options.items() if v is not None})
    try:
        print(run_experiment(exp, ' '.join(sys.argv))['markdown'])
    except FolderLockedError as err:  # another experiment in --work-dir
        raise SystemExit(f'error: {err}') from None
    if args.grid_seed is not None:
        try:
            print(f'Arms side by side: {save_arm_grid(exp, args.grid_seed)}')
        except FileNotFoundError as err:
            raise SystemExit(f'error: {err}') from None


if __name__ == '__main__':
    main()
