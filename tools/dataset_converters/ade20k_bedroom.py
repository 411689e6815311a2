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
import os.path as osp
import pickle
import sys
from typing import Dict, Iterator, Optional, Sequence, Tuple

from mmadvseg.datasets.sketch.extract import (
    add_conversion_args,
    run_conversion,
)

Entry = Tuple[str, str, str]  # (name, image path, split)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='ADE20K scenes -> sketch/photo datasets')
    parser.add_argument('--index', required=True,
                        help='index_ade20k.pkl (ADE20K 2021) or '
                        'sceneCategories.txt (ADEChallengeData2016)')
    parser.add_argument('--root', required=True,
                        help='folder the index paths are relative to (see '
                        'the module docstring)')
    parser.add_argument('--scene', nargs='+', default=['bedroom'],
                        help='scene name(s) to keep (default bedroom)')
    parser.add_argument('--out', required=True, help='output dataset root')
    add_conversion_args(parser)
    return parser.parse_args(argv)


def scene_matches(scene: object, wanted: Sequence[str]) -> bool:
    """Whether an index scene label (str or list of str) is wanted."""
    labels = scene if isinstance(scene, (list, tuple)) else [scene]
    parts = {p for label in labels for p in str(label).split('/') if p}
    return bool(parts & set(wanted))


def _resolve(root: str, folder: str, filename: str) -> str:
    """``root/folder/filename``, tolerating ``root`` = the dataset folder."""
    path = osp.join(root, folder, filename)
    if osp.exists(path):
        return path
    head, _, rest = folder.replace('\\', '/').partition('/')
    if rest and head == osp.basename(osp.normpath(root)):
        return osp.join(root, rest, filename)
    return path


def read_pkl_index(path: str, root: str,
                   wanted: Sequence[str]) -> Iterator[Entry]:
    """Entries of an ADE20K 2021 ``index_ade20k.pkl``."""
    with open(path, 'rb') as f:
        index = pickle.load(f)
    missing = [k for k in ('filename', 'folder', 'scene') if k not in index]
    if missing:
        raise ValueError(f'{path}: not an ADE20K index (no {missing} '
                         'fields)')
    for filename, folder, scene in zip(index['filename'], index['folder'],
                                       index['scene']):
        if scene_matches(scene, wanted):
            split = 'test' if 'validation' in str(folder).split('/') \
                else 'train'
            yield (osp.splitext(filename)[0],
                   _resolve(root, str(folder), str(filename)), split)


def read_txt_index(path: str, root: str,
                   wanted: Sequence[str]) -> Iterator[Entry]:
    """Entries of an ADEChallengeData2016 ``sceneCategories.txt``."""
    with open(path) as f:
        for number, line in enumerate(f, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2:
                raise ValueError(f'{path}:{number}: expected "NAME SCENE", '
                                 f'got {line.strip()!r}')
            name, scene = fields
            if scene_matches(scene, wanted):
                val = name.startswith('ADE_val')
                folder = 'validation' if val else 'training'
                yield (name, osp.join(root, 'images', folder, f'{name}.jpg'),
                       'test' if val else 'train')


def collect_sources(args: argparse.Namespace
                    ) -> Tuple[Dict[str, str], Dict[str, str]]:
    """``{name: image path}`` and ADE20K's own ``{name: split}``."""
    if args.index.endswith('.pkl'):
        entries = read_pkl_index(args.index, args.root, args.scene)
    elif args.index.endswith('.txt'):
        entries = read_txt_index(args.index, args.root, args.scene)
    else:
        raise ValueError(f'{args.index}: expected index_ade20k.pkl or '
                         'sceneCategories.txt')
    sources, splits = {}, {}
    for name, path, split in entries:
        sources[name], splits[name] = path, split
    print(f'{args.index}: {len(sources)} images of scene(s) {args.scene}')
    return sources, splits


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        sources, splits = collect_sources(args)
    except (OSError, ValueError, pickle.UnpicklingError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    random_split = args.num_test is not None or args.test_ratio is not None
    return run_conversion(args, sources, None if random_split else splits)


if __name__ == '__main__':
    sys.exit(main())
