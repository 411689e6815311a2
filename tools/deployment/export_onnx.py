# Copyright (c) mmadvseg contributors. All rights reserved.
"""Export a trained generator to ONNX, checked against PyTorch.

    python tools/deployment/export_onnx.py CONFIG CHECKPOINT --out model.onnx
    python tools/deployment/export_onnx.py WORK_DIR --out model.onnx

Then ``python tools/colorize.py model.onnx SKETCHES --out DIR`` runs it on
onnxruntime, without torch or OpenMMLab.
"""
import argparse
import sys

from mmadvseg.apis.export import export_command

EPILOG = """\
The graph takes the normalised sketch batch (dynamic batch, height and
width; height and width multiples of the generator's size multiple, which
tools/colorize.py pads to) and, for Pix2Pix, one keep-mask per dropout
layer (test-time dropout; tools/colorize.py draws them from --seed). Before
the file is written, onnxruntime and PyTorch translate the config's test
sketches (a toy sketch when the data is absent, or --check-images) with the
same masks; a max abs difference above --tolerance (in the network's
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


if __name__ == '__main__':
    sys.exit(export_command(parse_args()))
