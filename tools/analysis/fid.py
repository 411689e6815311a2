# Copyright (c) mmadvseg contributors. All rights reserved.
"""FID and KID between two folders of images, like ``python -m pytorch_fid``.

Same files, same image reading, same Inception and weights as pytorch-fid, so
the FID is comparable with the paper's table; the Fréchet distance is
computed in float64 without ``scipy.linalg.sqrtm``, and KID (unbiased, on
subsets) is reported with it, plus the number of images of each folder
(see :func:`mmadvseg.evaluation.image_folder.folder_fid_kid`).

Example::

    python tools/analysis/fid.py data/bedroom/testB work_dirs/exp/fakes \
        --json work_dirs/exp/fid.json
"""
import argparse
import sys

from mmadvseg.evaluation.image_folder import (
    folder_fid_kid,
    format_fid_kid,
    save_fid_kid,
)
from mmadvseg.utils.fileio import write_problem


def at_least(minimum: int):
    """An argparse type: an integer not below ``minimum``."""

    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f'{value} is not at least {minimum}')
        return value

    return parse


positive_int = at_least(1)


def parse_args() -> argparse.Namespace:
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
    parser.add_argument('--batch-size', type=positive_int, default=50)
    parser.add_argument(
        '--device',
        default=None,
        help='cuda, cuda:0 or cpu (default: cuda if available)')
    parser.add_argument(
        '--num-workers',
        type=at_least(0),
        default=None,
        help='image-reading processes (default: min(4, CPUs - 1))')
    parser.add_argument('--kid-subsets', type=positive_int, default=100)
    parser.add_argument('--kid-subset-size', type=positive_int, default=1000)
    parser.add_argument('--kid-seed', type=int, default=0)
    parser.add_argument(
        '--json', default=None, help='also write the results to this file')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    problem = args.json and write_problem(args.json)
    if problem:  # before the work, not after it
        sys.exit(f'error: {problem}: choose another --json')
    try:
        result = folder_fid_kid(
            args.real_dir,
            args.fake_dir,
            inception=args.inception,
            allow_download=args.allow_download,
            batch_size=args.batch_size,
            device=args.device,
            num_workers=args.num_workers,
            kid_subsets=args.kid_subsets,
            kid_subset_size=args.kid_subset_size,
            kid_seed=args.kid_seed,
            json_file=None)
    except (OSError, ValueError, RuntimeError) as err:
        # missing folder or weights, unreadable image or weight file
        sys.exit(f'error: {err}')
    print(format_fid_kid(result), flush=True)
    if args.json:
        try:  # its folder was checked first; the FID is printed anyway
            save_fid_kid(result, args.json)
        except OSError as err:
            sys.exit(f'error: cannot write {args.json} ({err.strerror}); '
                     'the result is printed above')


if __name__ == '__main__':
    main()
