# Copyright (c) mmadvseg contributors. All rights reserved.
"""ADE20K scenes (the paper's bedroom set) as sketch/photo datasets.

Two index formats are supported:

* ADE20K 2021 (``ADE20K_2021_17_01/index_ade20k.pkl``): a pickled dict with
  the lists ``filename``, ``folder`` and ``scene`` (e.g. ``'/bedroom'``).
  Images are ``ROOT/folder/filename`` with ``--root`` the folder that
  contains ``ADE20K_2021_17_01`` (the folder itself works too). The split is
  train unless ``folder`` contains ``validation``. Only load an index you
  trust: it is a pickle.
* ADEChallengeData2016 (``sceneCategories.txt``): lines
  ``ADE_train_00000001 bedroom``; images are
  ``ROOT/images/{training,validation}/NAME.jpg`` with ``--root`` the
  ``ADEChallengeData2016`` folder; ``ADE_val_*`` images are the test split.

A scene matches when ``--scene`` equals one of its ``/``-separated parts.
With ``--num-test``/``--test-ratio`` the split is random (seeded) instead of
ADE20K's own::

    python tools/dataset_converters/ade20k_bedroom.py \\
        --index data/ADEChallengeData2016/sceneCategories.txt \\
        --root data/ADEChallengeData2016 --out data/bedroom
"""
import argparse
import sys
from typing import Optional, Sequence

from mmadvseg.datasets.convert_cli import add_conversion_args, convert_ade20k


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='ADE20K scenes -> sketch/photo datasets')
    add_conversion_args(parser)
    parser.add_argument('--index', required=True,
                        help='index_ade20k.pkl (ADE20K 2021) or '
                        'sceneCategories.txt (ADEChallengeData2016)')
    parser.add_argument('--root', required=True,
                        help='folder the index paths are relative to (see '
                        'the module docstring)')
    parser.add_argument('--scene', nargs='+', default=['bedroom'],
                        help='scene name(s) to keep (default bedroom)')
    parser.add_argument('--out', required=True, help='output dataset root')
    return parser.parse_args(argv)


if __name__ == '__main__':
    sys.exit(convert_ade20k(parse_args()))
