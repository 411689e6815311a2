# Copyright (c) mmadvseg contributors. All rights reserved.
"""Speed of ``tools/analysis/fid.py`` against ``python -m pytorch_fid``.

Both command lines run, with their default settings, on the same two folders
of N generated PNG images (real / fake), end to end (start-up, image
reading, Inception, Fréchet distance). Prints images/s of each (2N images /
wall-clock seconds), their ratio (ours / pytorch-fid; >= 1 means ours is no
slower) and both FIDs. Runs offline: random-init Inception weights are
written into a temporary ``$TORCH_HOME`` that both tools read (the timing does
not depend on the weight values).

Example::

    python tools/analysis/benchmark_fid.py --num-images 100
    python tools/analysis/benchmark_fid.py --short   # CI: 10 small images
"""
import argparse
import json
import os
import os.path as osp
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from PIL import Image

from mmadvseg.evaluation.inception import FID_WEIGHTS_URL
from mmadvseg.evaluation.random_inception import save_random_inception_weights
from mmadvseg.utils.weights import hub_cache_path

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark our FID command against pytorch-fid.')
    parser.add_argument('--num-images', type=int, default=100)
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument(
        '--short',
        action='store_true',
        help='CI mode: 10 images of 64x64 per folder')
    parser.add_argument('--device', default=None)
    parser.add_argument('--repeats', type=int, default=1)
    parser.add_argument('--json', default=None, help='write results here')
    return parser.parse_args(argv)


def make_images(folder: str, num: int, size: int, seed: int) -> None:
    """Write ``num`` smooth random colour images (PNG)."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    for i in range(num):
        img = np.empty((size, size, 3))
        for c in range(3):
            freq = rng.uniform(0.5, 4, 2)
            img[..., c] = rng.uniform(60, 255) * (0.5 + 0.5 * np.sin(
                2 * np.pi * (freq[0] * xx + freq[1] * yy) +
                rng.uniform(0, 6)))
        img += rng.normal(0, 6, img.shape)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(
            osp.join(folder, f'{i:04d}.png'))


def timed(cmd: list, env: dict) -> tuple:
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, env=env, cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{proc.stderr[-3000:]}')
    match = re.search(r'FID:\s+([-+0-9.eE]+)', proc.stdout)
    if match is None:
        raise RuntimeError(f'no FID in the output of {cmd}:\n{proc.stdout}')
    return elapsed, float(match.group(1))


def main(argv=None) -> dict:
    args = parse_args(argv)
    num, size = (10, 64) if args.short else (args.num_images, args.size)
    with tempfile.TemporaryDirectory(prefix='fid_bench_') as tmp:
        env = dict(os.environ, TORCH_HOME=osp.join(tmp, 'torch_home'))
        os.environ['TORCH_HOME'] = env['TORCH_HOME']
        save_random_inception_weights(hub_cache_path(FID_WEIGHTS_URL))
        real, fake = osp.join(tmp, 'real'), osp.join(tmp, 'fake')
        make_images(real, num, size, seed=0)
        make_images(fake, num, size, seed=1)
        device = ['--device', args.device] if args.device else []
        ours_cmd = [
            sys.executable,
            osp.join(REPO, 'tools', 'analysis', 'fid.py'), real, fake
        ] + device
        theirs_cmd = [sys.executable, '-m', 'pytorch_fid', real, fake
                      ] + device
        ours_times, theirs_times = [], []
        for _ in range(args.repeats):
            t, ours_fid = timed(ours_cmd, env)
            ours_times.append(t)
            t, theirs_fid = timed(theirs_cmd, env)
            theirs_times.append(t)
    ours_t, theirs_t = min(ours_times), min(theirs_times)
    result = dict(
        num_images_per_folder=num,
        image_size=size,
        device=args.device or ('cuda' if torch.cuda.is_available() else
                               'cpu'),
        ours_seconds=ours_t,
        pytorch_fid_seconds=theirs_t,
        ours_images_per_second=2 * num / ours_t,
        pytorch_fid_images_per_second=2 * num / theirs_t,
        speed_ratio=theirs_t / ours_t,
        ours_fid=ours_fid,
        pytorch_fid_fid=theirs_fid,
        fid_relative_difference=abs(ours_fid - theirs_fid) /
        max(abs(theirs_fid), 1e-12))
    print(f'{2 * num} images ({num} real + {num} fake, {size}x{size}), '
          f'device {result["device"]}, best of {args.repeats}')
    print(f'ours        : {ours_t:7.2f} s  '
          f'{result["ours_images_per_second"]:7.2f} images/s  '
          f'FID {ours_fid:.6f}')
    print(f'pytorch-fid : {theirs_t:7.2f} s  '
          f'{result["pytorch_fid_images_per_second"]:7.2f} images/s  '
          f'FID {theirs_fid:.6f}')
    print(f'ratio (ours / pytorch-fid images/s): {result["speed_ratio"]:.2f}'
          f'   FID relative difference: '
          f'{result["fid_relative_difference"]:.2e}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
