# Copyright (c) mmadvseg contributors. All rights reserved.
"""Throughput of sketch extraction and of toy scene generation.

    python tools/analysis/benchmark_sketch.py [--num 64] [--nproc 2] [--short]

Source photos are toy scenes at ``--size`` (default 256) written to a
temporary folder; every method converts them with ``--nproc`` processes into
both layouts (read + sketch + write PNGs, as a real conversion). HED uses
randomly initialised weights (same cost as trained ones). ``--short`` is a
seconds-long smoke run for CI.
"""
import argparse
import os.path as osp
import sys
import tempfile
import time
from typing import Dict, List, Optional, Sequence

from mmadvseg.datasets.convert import ConvertSpec, convert_images, make_tasks
from mmadvseg.datasets.layouts import scan_images
from mmadvseg.datasets.sketch import build_sketcher
from mmadvseg.toy import ToyScenes

METHODS = ('xdog_reference', 'xdog_paper', 'canny', 'hed')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark sketch tools')
    parser.add_argument('--num', type=int, default=64,
                        help='images per method (default 64)')
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--nproc', type=int, default=2)
    parser.add_argument('--methods', nargs='+', choices=METHODS,
                        default=list(METHODS))
    parser.add_argument('--toy-num', type=int, default=400,
                        help='toy scenes (128 px) for the generation speed')
    parser.add_argument('--short', action='store_true',
                        help='tiny run for CI (8 images, 40 toy scenes)')
    return parser.parse_args(argv)


def make_sketcher_kwargs(method: str, workdir: str) -> Dict[str, object]:
    """``build_sketcher`` arguments of a benchmark method."""
    if method == 'xdog_reference':
        return dict(method='xdog', preset='reference')
    if method == 'xdog_paper':
        return dict(method='xdog', preset='xdog_paper')
    if method == 'canny':
        return dict(method='canny')
    import torch

    from mmadvseg.datasets.sketch.hed import HED
    weights = osp.join(workdir, 'hed_random.pth')
    if not osp.exists(weights):
        torch.manual_seed(0)
        torch.save(HED().state_dict(), weights)
    return dict(method='hed', weights=weights)


def bench_method(method: str, photos: List[str], workdir: str, size: int,
                 nproc: int) -> float:
    """Images per second of one method (outputs in a fresh folder)."""
    kwargs = make_sketcher_kwargs(method, workdir)
    sketcher = build_sketcher(kwargs.pop('method'), **kwargs)
    sources = {osp.splitext(osp.basename(p))[0]: p for p in photos}
    tasks = make_tasks(sources, num_test=0)
    spec = ConvertSpec(osp.join(workdir, method), sketcher, size)
    report = convert_images(tasks, spec, nproc, progress=False)
    if report.failures or report.count('done') != len(tasks):
        raise RuntimeError(report.summary())
    return len(tasks) / report.seconds


def bench_toy(workdir: str, num: int, nproc: int) -> float:
    """Toy scenes (128 px, all outputs) per second."""
    start = time.perf_counter()
    ToyScenes(osp.join(workdir, 'toy128'), num, 0, 128).generate(nproc)
    return num / (time.perf_counter() - start)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    num, toy_num = (8, 40) if args.short else (args.num, args.toy_num)
    with tempfile.TemporaryDirectory(prefix='mmadvseg_bench_') as workdir:
        src = ToyScenes(osp.join(workdir, 'src'), num, 0, args.size, seed=1,
                        layouts=())
        src.generate(args.nproc)
        photos = scan_images(src.img_dir('train'))
        print(f'Sketch extraction, {args.size}x{args.size}, {args.nproc} '
              f'processes, {num} images (read + sketch + write both '
              'layouts):')
        for method in args.methods:
            speed = bench_method(method, photos, workdir, args.size,
                                 args.nproc)
            print(f'  {method:<15s} {speed:8.1f} images/s')
        speed = bench_toy(workdir, toy_num, args.nproc)
        print(f'Toy scenes, 128x128, {args.nproc} processes, {toy_num} '
              f'scenes: {speed:.1f} scenes/s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
