# Copyright (c) mmadvseg contributors. All rights reserved.
"""Does colorizing at the model's working scale make full-size sketches come
out as well as sketches of the model's own size?

    python tools/analysis/benchmark_working_scale.py \
        [--demo-dir work_dirs/demo] [--scale 4] [--num 100] [--seed 0]
        [--json FILE]

The demo's test scenes (``make demo``) are rendered again at ``--scale``
times their size (the same scenes: every scene's random numbers depend on
its seed and index only) and their sketches colorized by the demo model
(its AdvSegLoss Pix2Pix run) three ways: the scenes of the model's size with
defaults; the large sketches with defaults (translated at the working
scale, given back at full size); the large sketches with ``native=True``
(translated at full size). Every output is resized back to the scenes'
size and segmented by the demo's judge (the tiny Panoptic FPN), whose mIoU
against the scenes' labels is reported (``toy_segmentation_scores``, as
the judge's own report scores real scenes).
"""
import argparse
import json
import os
import os.path as osp
import shutil
import tempfile
from dataclasses import replace
from typing import Dict, List

import cv2


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--demo-dir', default='work_dirs/demo')
    parser.add_argument('--scale', type=int, default=4)
    parser.add_argument('--num', type=int, default=100,
                        help='test scenes (at most the demo\'s)')
    parser.add_argument('--seed', type=int, default=0, help='dropout seed')
    parser.add_argument('--json', help='also write the numbers here')
    return parser.parse_args()


def judge_miou(judge, scenes, names: List[str], images: List,
               folder: str) -> float:
    """The judge's mIoU of ``images`` (one per scene, any size: resized to
    the scenes' size) against the scenes' labels."""
    from mmadvseg.apis import resize_to
    from mmadvseg.toy import ToyScenes
    from mmadvseg.toy.segmenter import toy_segmentation_scores
    fake = ToyScenes(root=folder, num_train=0, num_test=len(names),
                     size=scenes.size)
    os.makedirs(fake.img_dir('test'), exist_ok=True)
    shutil.copytree(scenes.label_dir('test'), fake.label_dir('test'),
                    dirs_exist_ok=True)
    for name, img in zip(names, images):
        cv2.imwrite(osp.join(fake.img_dir('test'), f'{name}.png'),
                    resize_to(img, (scenes.size, scenes.size)))
    return toy_segmentation_scores(judge, fake)['mIoU']


def main() -> None:
    args = parse_args()
    from mmadvseg.apis import Colorizer
    from mmadvseg.toy.demo import demo_experiment, demo_model
    from mmadvseg.toy.run import SPEC_NAME
    from mmadvseg.toy.segmenter import build_toy_segmenter

    run_dir = demo_model(args.demo_dir)
    with open(osp.join(run_dir, SPEC_NAME)) as f:
        judge_files = json.load(f)['segmenters']['judge']
    judge = build_toy_segmenter(judge_files['config'],
                                judge_files['checkpoint'])
    scenes = demo_experiment(args.demo_dir).scenes.ensure()
    names = list(scenes.names('test'))[:args.num]
    colorizer = Colorizer(run_dir)
    rows: Dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        large = replace(scenes, root=osp.join(tmp, 'large'), num_train=0,
                        size=scenes.size * args.scale,
                        layouts=('unpaired', )).ensure(nproc=2)
        for label, root, kwargs in [
            (f'{scenes.size} px scenes, defaults', scenes, {}),
            (f'{large.size} px scenes, defaults (working scale)', large, {}),
            (f'{large.size} px scenes, --native', large, dict(native=True)),
        ]:
            files = [osp.join(root.root, 'unpaired', 'testA', f'{n}.png')
                     for n in names]
            result = colorizer(files, seed=args.seed, show_progress=False,
                               **kwargs)
            rows[label] = judge_miou(judge, scenes, names,
                                     result['predictions'],
                                     osp.join(tmp, f'score{len(rows)}'))
            print(f'{label}: judge mIoU {rows[label]:.3f}', flush=True)
    base = next(iter(rows.values()))
    print(f'\n| sketches ({len(names)} test scenes, seed {args.seed}) | '
          'judge mIoU | vs model size |\n|---|---|---|')
    for label, value in rows.items():
        print(f'| {label} | {value:.3f} | {value - base:+.3f} |')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(model=run_dir, num=len(names), seed=args.seed,
                           scale=args.scale, judge_miou=rows), f, indent=2)


if __name__ == '__main__':
    main()
