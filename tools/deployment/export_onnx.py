# Copyright (c) mmadvseg contributors. All rights reserved.
"""Export a trained generator to ONNX, checked against PyTorch.

    python tools/deployment/export_onnx.py CONFIG CHECKPOINT --out model.onnx
    python tools/deployment/export_onnx.py WORK_DIR --out model.onnx

Then ``python tools/colorize.py model.onnx SKETCHES --out DIR`` runs it on
onnxruntime, without torch or OpenMMLab.
"""
import argparse
import sys

from mmadvseg.apis import collect_images, load_image, resolve_model
from mmadvseg.apis.export import export_onnx

EPILOG = """\
The graph takes the normalised sketch batch (dynamic batch, height and
width; height and width multiples of the generator's size multiple, which
tools/colorize.py pads to) and, for Pix2Pix, one keep-mask per dropout
layer (test-time dropout; tools/colorize.py draws them from --seed). Before
the file is written, onnxruntime and PyTorch translate the config's test
sketches (or --check-images, needed when the test data is not here) with
the same masks; a max abs difference above --tolerance (in the network's
[-1, 1] range) writes nothing and exits 1.
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Export a generator to ONNX', epilog=EPILOG,
        usage='%(prog)s {CONFIG CHECKPOINT | WORK_DIR} --out FILE.onnx',
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('model', nargs='+', metavar='MODEL',
                        help='CONFIG CHECKPOINT, or a training work dir')
    parser.add_argument('--out', required=True, help='the .onnx file')
    parser.add_argument('--check-images', nargs='+', metavar='IMAGE',
                        help='sketches (files or folders) for the check')
    parser.add_argument('--tolerance', type=float, default=1e-3,
                        help='largest allowed difference (default 1e-3)')
    parser.add_argument('--opset', type=int, default=17)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if len(args.model) > 2 or not args.out.endswith('.onnx'):
        raise ValueError('usage: CONFIG CHECKPOINT or WORK_DIR, and --out '
                         'FILE.onnx')
    config, checkpoint = resolve_model(*args.model)
    if not config:
        raise ValueError(f'{checkpoint} is already an ONNX model')
    sketches = None
    if args.check_images:
        sketches = [load_image(path)
                    for path, _ in collect_images(args.check_images)]
    report = export_onnx(config, checkpoint, args.out, sketches,
                         args.tolerance, args.opset)
    print(f'{report.path}: {report.spec.description}; onnxruntime vs '
          f'PyTorch max abs difference {report.max_abs_diff:.2e} on '
          f'{report.checked}')


if __name__ == '__main__':
    try:
        main()
    except (ValueError, RuntimeError, FileNotFoundError) as err:
        sys.exit(f'error: {err}')
