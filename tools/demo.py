# Copyright (c) mmadvseg contributors. All rights reserved.
"""The offline demo (the README's main command): AdvSegLoss vs baseline on
procedural toy scenes, in small, on a CPU, with no download.

1. generates toy scenes with panoptic ground truth;
2. trains (or reuses) two tiny Mask2Formers on them: the *guide*, which
   AdvSegLoss uses, and an independent *evaluation* segmenter;
3. trains AdvSegPix2Pix (both) and the Pix2Pix baseline briefly, side by
   side, and evaluates them on held-out scenes (semantic accuracy measured
   by the evaluation segmenter, KID, L1);
4. prints the comparison and writes, in the work dir, ``results.md`` /
   ``results.json`` and one ``grid_<variant>.png`` per model (sketch |
   generated | real | segmentation of generated | of real).

It is ``tools/analysis/toy_benchmark.py`` with a small grid; see that tool
for the full experiment (4 variants x 2 models x 3 seeds).

    python tools/demo.py [--work-dir work_dirs/demo] [--iters 100]
"""
import argparse
import os
import os.path as osp
import sys

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..'))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))

from toy_benchmark import (  # noqa: E402
    build_run_cfg,
    ensure_segmenters,
    ensure_toy_data,
    run_toy_benchmark,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='The offline demo')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--iters', type=int, default=100,
                        help='GAN training iterations per model')
    parser.add_argument('--segmenter-iters', type=int, default=400)
    parser.add_argument('--num-train', type=int, default=200)
    parser.add_argument('--num-test', type=int, default=50)
    parser.add_argument('--color-mode', default='distinct',
                        choices=['distinct', 'shared'])
    return parser.parse_args()


def save_grids(args: argparse.Namespace, variants: tuple,
               num_images: int = 8) -> list:
    """Translate the first test scenes with each trained model."""
    import cv2
    import torch
    from mmagic.registry import MODELS
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner, load_checkpoint

    from mmadvseg.datasets import TOY_METAINFO
    from mmadvseg.models.segmenters import FrozenPanopticSegmenter
    from mmadvseg.visualization import translation_grid

    work_dir = osp.abspath(args.work_dir)
    data_root = ensure_toy_data(
        osp.join(work_dir, f'data_{args.color_mode}'), args.num_train,
        args.num_test, 64, args.color_mode)
    segmenters = ensure_segmenters(
        osp.join(work_dir, f'seg_{args.color_mode}'), data_root,
        args.segmenter_iters)
    judge = FrozenPanopticSegmenter(
        config=segmenters['eval']['config'],
        checkpoint=segmenters['eval']['checkpoint'])
    paths = []
    for variant in variants:
        run_dir = osp.join(work_dir, f'runs_{args.color_mode}',
                           f'pix2pix_{variant}_seed0')
        cfg = build_run_cfg('pix2pix', variant, 0, data_root, segmenters,
                            run_dir, args.iters)
        init_default_scope('mmagic')
        model = MODELS.build(cfg.model)
        load_checkpoint(
            model, osp.join(run_dir, f'iter_{args.iters}.pth'), strict=True)
        batch = next(iter(Runner.build_dataloader(cfg.test_dataloader)))
        with torch.no_grad():
            inputs = model.data_preprocessor(batch)['inputs']
            sketch = inputs['img_sketch'][:num_images]
            real = inputs['img_photo'][:num_images]
            fake = model.forward_test(sketch, target_domain='photo')['target']
        path = osp.join(work_dir, f'grid_{variant}.png')
        cv2.imwrite(
            path,
            translation_grid(sketch, fake, real, judge,
                             TOY_METAINFO['palette']))
        paths.append(path)
    return paths


def main() -> None:
    args = parse_args()
    variants = ('baseline', 'both')
    content = run_toy_benchmark(
        work_dir=args.work_dir,
        models=('pix2pix', ),
        variants=variants,
        seeds=(0, ),
        iters=args.iters,
        color_mode=args.color_mode,
        num_train=args.num_train,
        num_test=args.num_test,
        segmenter_iters=args.segmenter_iters,
        jobs=2)
    failed = content['info']['failed_runs']
    if failed:
        raise SystemExit(f'Demo runs failed (see run.log in each): '
                         f'{failed}')
    grids = save_grids(args, variants)
    work_dir = osp.abspath(args.work_dir)
    with open(osp.join(work_dir, 'results.md')) as f:
        print(f.read())
    print('Demo finished. Look at:\n  ' + '\n  '.join(grids) +
          '\n  (sketch | generated | real | seg(generated) | seg(real))\n'
          f'  {osp.join(work_dir, "results.md")} / results.json\n'
          'Full experiment: python tools/analysis/toy_benchmark.py\n'
          'Real data and weights: build a dataset with '
          'tools/dataset_converters/, then e.g.\n'
          '  python tools/train.py configs/advseg/pix2pix_both_sheep.py\n'
          '(the Mask2Former and Inception weights download on first use).')


if __name__ == '__main__':
    os.environ.setdefault('OMP_NUM_THREADS', '2')
    main()
