# Copyright (c) mmadvseg contributors. All rights reserved.
"""%(prog)s {CONFIG CHECKPOINT | WORK_DIR | MODEL.onnx} INPUT... --out DIR"""
import sys
from argparse import ArgumentParser

from mmadvseg.apis import Colorizer, split_model_args
from mmadvseg.datasets.sketch import add_sketch_args


def parse_args():
    parser = ArgumentParser(usage=__doc__, conflict_handler='resolve')
    add = parser.add_argument
    add('inputs', nargs='+', help='(see mmadvseg.apis.Colorizer)')
    add('--out', dest='out_dir', required=True, help='output folder')
    add('--batch-size', type=int, default=1, help='images per pass')
    add('--size', type=int, help='translate at this longer side (default: '
        'the model\'s working scale); outputs keep the input size')
    add('--native', action='store_true', help='translate at full size')
    add('--overwrite', action='store_true', help='replace earlier outputs')
    add('--seed', type=int, help='dropout seed (default: random, printed)')
    add('--grid', action='store_true', help='also write NAME_grid.png')
    add('--from-photo', action='store_true', help='the inputs are photos')
    add('--dataset', help='--from-photo: the training data\'s folder')
    add('--no-progress', dest='show_progress', action='store_false')
    add_sketch_args(parser, default=None)  # None: the dataset's record
    add('--device', default='cpu', help='cpu, cuda or cuda:N')
    add('--precision', choices=('fp32', 'bf16'), default='fp32')
    args = vars(parser.parse_args())
    init, args['inputs'] = split_model_args(args['inputs'])
    return {**init, **{k: args.pop(k) for k in ('device', 'precision')}}, args


if __name__ == '__main__':
    try:
        init_args, call_args = parse_args()
        result = Colorizer(**init_args)(**call_args, return_preds=False)
    except (ValueError, TypeError, FileNotFoundError) as err:
        sys.exit(f'error: {err}')
    print(*result['notes'], f'{len(result["written"])} colorized into '
          f'{call_args["out_dir"]}, {len(result["failed"])} failed', sep='\n')
    sys.stderr.writelines(f'  FAILED {r}\n' for _, r in result['failed'])
    sys.exit(1 if result['failed'] else 0)
