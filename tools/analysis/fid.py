# Copyright (c) mmadvseg contributors. All rights reserved.
"""FID and KID between two folders of images, like ``python -m pytorch_fid``.

Same files, same image reading, same Inception and weights as pytorch-fid, so
the FID is comparable with the paper's table; the Fréchet distance is
computed in float64 without ``scipy.linalg.sqrtm``, and KID (unbiased, on
subsets) is reported with it, plus the number of images of each folder.

Example::

    python tools/analysis/fid.py data/bedroom/testB work_dirs/exp/fakes \
        --json work_dirs/exp/fid.json
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from functools import partial

import torch
from tqdm import tqdm

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

from mmadvseg.evaluation.functional import (  # noqa: E402
    frechet_distance_from_features,
    kernel_inception_distance,
)
from mmadvseg.evaluation.image_folder import folder_features  # noqa: E402
from mmadvseg.evaluation.inception import (  # noqa: E402
    FIDInceptionV3,
    InceptionWeightsNotFoundError,
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='FID (pytorch-fid compatible) and KID of two folders.')
    parser.add_argument('real_dir', help='folder of real images')
    parser.add_argument('fake_dir', help='folder of generated images')
    parser.add_argument(
        '--inception',
        default=None,
        help='path to pt_inception-2015-12-05-6726825d.pth (default: '
        '$TORCH_HOME/hub/checkpoints/)')
    parser.add_argument(
        '--allow-download',
        action='store_true',
        help='download the Inception weights into the hub cache if missing')
    parser.add_argument('--batch-size', type=int, default=50)
    parser.add_argument(
        '--device',
        default=None,
        help='cuda, cuda:0 or cpu (default: cuda if available)')
    parser.add_argument(
        '--num-workers',
        type=int,
        default=None,
        help='image-reading processes (default: min(4, CPUs - 1))')
    parser.add_argument('--kid-subsets', type=int, default=100)
    parser.add_argument('--kid-subset-size', type=int, default=1000)
    parser.add_argument('--kid-seed', type=int, default=0)
    parser.add_argument(
        '--json', default=None, help='also write the results to this file')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    for folder in (args.real_dir, args.fake_dir):
        if not osp.isdir(folder):
            sys.exit(f'error: not a directory: {folder}')
    device = torch.device(args.device or (
        'cuda' if torch.cuda.is_available() else 'cpu'))
    if args.num_workers is None:
        num_cpus = len(os.sched_getaffinity(0)) if hasattr(
            os, 'sched_getaffinity') else (os.cpu_count() or 1)
        args.num_workers = max(0, min(4, num_cpus - 1))
    try:
        model = FIDInceptionV3(
            args.inception, allow_download=args.allow_download).to(device)
    except InceptionWeightsNotFoundError as err:
        sys.exit(f'error: {err}')

    start = time.perf_counter()
    feats = {}
    for name, folder in (('real', args.real_dir), ('fake', args.fake_dir)):
        feats[name] = folder_features(
            folder,
            model,
            batch_size=args.batch_size,
            device=device,
            num_workers=args.num_workers,
            progress=partial(tqdm, desc=f'{name} ({folder})', unit='batch'))
    fid = frechet_distance_from_features(feats['real'], feats['fake'])
    kid, kid_std = kernel_inception_distance(
        feats['real'],
        feats['fake'],
        num_subsets=args.kid_subsets,
        subset_size=args.kid_subset_size,
        seed=args.kid_seed)
    elapsed = time.perf_counter() - start
    num_images = len(feats['real']) + len(feats['fake'])
    result = dict(
        fid=fid,
        kid=kid,
        kid_std=kid_std,
        num_real=len(feats['real']),
        num_fake=len(feats['fake']),
        real_dir=osp.abspath(args.real_dir),
        fake_dir=osp.abspath(args.fake_dir),
        inception=model.weights_path,
        device=str(device),
        seconds=elapsed,
        images_per_second=num_images / elapsed)
    print(f'FID: {fid:.6f}')
    subset = min(args.kid_subset_size, result['num_real'], result['num_fake'])
    print(f'KID: {kid:.6f} +- {kid_std:.6f} '
          f'({args.kid_subsets} subsets of {subset})')
    print(f'images: {result["num_real"]} real, {result["num_fake"]} fake; '
          f'{elapsed:.1f} s, {result["images_per_second"]:.2f} images/s '
          f'on {device}')
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
