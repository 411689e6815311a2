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
The graph (names, float32 throughout; N, H, W dynamic):
  sketch         (N, 3, H, W)  input, (pixel - mean) / std, about [-1, 1];
                 H and W multiples of the size multiple (reflect-pad, then
                 crop the output; tools/colorize.py does both)
  keep_mask_i    (1, C_i, H/s_i, W/s_i)  Pix2Pix only, one per dropout layer:
                 1 = keep, 0 = drop. Optional: fed none, dropout is off
                 (default (1, C_i, 1, 1) filled with the keep probability;
                 onnxruntime lists them as overridable initializers, not
                 inputs). Colorizer and tools/colorize.py feed the masks of
                 --seed (mmadvseg.apis.dropout_masks.draw_masks, numpy
                 PCG64), the PyTorch backend's: a seed gives one picture
  photo          (N, 3, H, W)  output in [-1, 1]: pixel = photo * std + mean
mean, std, channel order, size multiple, p, C_i and s_i are JSON in the
file's metadata (key mmadvseg_generator_spec).

Before the file is written, onnxruntime and PyTorch translate the config's
test sketches (or --check-images, needed when the test data is not here),
with a seed's masks and with the sketch alone; a max abs difference above
--tolerance (in the network's [-1, 1] range) writes nothing and exits 1.
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
