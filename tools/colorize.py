# Copyright (c) mmadvseg contributors. All rights reserved.
"""Colorize your own sketches with a trained model.

    python tools/colorize.py CONFIG CHECKPOINT INPUT [INPUT ...] --out DIR
    python tools/colorize.py WORK_DIR INPUT [INPUT ...] --out DIR
    python tools/colorize.py MODEL.onnx INPUT [INPUT ...] --out DIR
"""
import argparse
import sys

from mmadvseg.apis.command import colorize_command
from mmadvseg.datasets.sketch import add_sketch_args

EPILOG = """\
MODEL is a config followed by its checkpoint, a training work dir (its
saved config and last checkpoint), or an ONNX file written by
tools/deployment/export_onnx.py (run on onnxruntime, without torch).
INPUTs are plain sketches (never split as A|B pairs) or folders of them
(searched recursively; sub-folder names are kept under --out). Sketches of
any size give outputs of exactly their size (padded by reflection to the
generator's size multiple, then cropped), unless --size resizes them.

Randomness: Pix2Pix keeps dropout on at test time (as mmagic's tools/test.py
and the original pix2pix do), so its colours are random by design; each
image is colorized as if alone, with dropout masks drawn from the seed, so
--seed S gives the same colours for the same sketch, whatever the batch
size or the other inputs. Without --seed a random seed is drawn and
printed. CycleGAN models have no dropout: their colours never change.
(An ONNX model draws its masks with numpy: the same seed gives other
colours than the PyTorch checkpoint for Pix2Pix.)

Exit code 0 when every input was colorized; 1 when an input could not be
read (it is named and skipped, the others are written) or on bad
arguments or model files (one error line, nothing read or written).
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Colorize sketches with a trained model',
        usage='%(prog)s {CONFIG CHECKPOINT | WORK_DIR | MODEL.onnx} INPUT '
        '[INPUT ...] --out DIR [options]',
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        conflict_handler='resolve')
    parser.add_argument('model_args', nargs='+',
                        metavar='MODEL [CHECKPOINT] INPUT')
    parser.add_argument('--out', required=True,
                        help='output folder: one PNG per input, same '
                        'relative name')
    parser.add_argument('--batch-size', type=int, default=1,
                        help='images per forward pass (same-size images '
                        'are batched; results do not depend on it)')
    parser.add_argument('--size', type=int, default=None,
                        help='resize each input so that its longer side is '
                        'SIZE (aspect kept); default: keep its size')
    parser.add_argument('--seed', type=int, default=None,
                        help='dropout seed of Pix2Pix models (default: '
                        'random, printed)')
    parser.add_argument('--grid', action='store_true',
                        help='also write NAME_grid.png: sketch | colour | '
                        'segmentation of the colour (with the class names) '
                        '| thing/stuff map, when the segmenter weights of '
                        'the config are available')
    parser.add_argument('--from-photo', action='store_true',
                        help='the inputs are photos: extract their sketch '
                        'as the converter of the training data did (see '
                        '--dataset) or with the --sketch options, save it '
                        'as NAME_sketch.png and colorize it')
    parser.add_argument('--dataset', metavar='DIR',
                        help='with --from-photo: the converted dataset whose '
                        'conversion.json gives the sketch settings (default: '
                        'the config\'s test data)')
    parser.add_argument('--no-progress', action='store_true',
                        help='hide the progress bar')
    add_sketch_args(parser)
    parser.set_defaults(sketch=None)  # None: use the dataset's record
    parser.add_argument('--device', default='cpu',
                        help='cpu, cuda or cuda:N (also for HED sketches)')
    parser.add_argument('--precision', choices=('fp32', 'bf16'),
                        default='fp32',
                        help='bf16: convolutions in bfloat16, several times '
                        'faster on CPUs with AMX or AVX-512 BF16 and recent '
                        'GPUs; colours differ slightly from fp32 (see '
                        'docs/benchmarks.md). Default fp32')
    return parser.parse_args()


if __name__ == '__main__':
    sys.exit(colorize_command(parse_args()))
