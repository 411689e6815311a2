# Copyright (c) mmadvseg contributors. All rights reserved.
"""A web page to draw a sketch and see it colourized, with what the model's
segmenter makes of the result (``mmadvseg.web``).

    python tools/web_demo.py                      # the model of `make demo`
    python tools/web_demo.py WORK_DIR | CONFIG CHECKPOINT | MODEL.onnx
"""
import argparse
import sys

from mmadvseg.toy.demo import demo_model
from mmadvseg.web import web_demo_command

EPILOG = """\
Without a model it serves the toy model that `make demo` trains
(work_dirs/demo/runs_distinct/pix2pix_both_seed0); run `make demo` first.
The page loads nothing from anywhere but this server. It binds 127.0.0.1
only and answers only requests addressed to 127.0.0.1, localhost or [::1]
(the Host header; others get status 400, so no other web site can reach it
by DNS rebinding): another --host needs --allow-remote as well (anyone who
can reach it can then use the model, by any name). Uploads are limited to
10 MB and 40 megapixels, checked in the file's header before decoding, so
only PNG, JPEG, BMP, TIFF and WebP files are accepted; two are decoded at a
time (others wait, up to 10 s, then get status 503). Every input is resized
to the model's size (noted on the page). Pix2Pix colours depend on the
dropout seed: the page uses one fixed --seed, so the same sketch always
gives the same colours (those of Colorizer(MODEL)(sketch, seed=SEED)
at the model's working size, where the page shows them).
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Draw a sketch and see it colourized and segmented',
        usage='%(prog)s [CONFIG CHECKPOINT | WORK_DIR | MODEL.onnx] '
        '[options]', epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('model_args', nargs='*', metavar='MODEL',
                        help='a training work dir, CONFIG CHECKPOINT or an '
                        'exported .onnx file (default: the toy demo model)')
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to bind (default: 127.0.0.1)')
    parser.add_argument('--port', type=int, default=7860,
                        help='port (0: a free one, printed)')
    parser.add_argument('--allow-remote', action='store_true',
                        help='allow a --host other machines can reach, '
                        'and requests addressed by any name')
    parser.add_argument('--device', default='cpu', help='cpu, cuda or '
                        'cuda:N')
    parser.add_argument('--seed', type=int, default=0,
                        help='dropout seed of every request (default: 0)')
    parser.add_argument('--size', type=int, default=None,
                        help='longer side inputs are resized to (default: '
                        'the size of the model\'s test pipeline)')
    return parser.parse_args()


if __name__ == '__main__':
    sys.exit(web_demo_command(parse_args(), default_model=demo_model))
