# Copyright (c) mmadvseg contributors. All rights reserved.
"""COCO subsets (e.g. the paper's elephant and sheep sets) as sketch data.

Selects the images of COCO 2017 instance annotation files that contain the
chosen categories, splits them into train/test and writes the sketch/photo
pairs in the paired (A|B) and unpaired (trainA/B, testA/B) layouts::

    python tools/dataset_converters/coco_subset.py \\
        --ann data/coco/annotations/instances_train2017.json \\
              data/coco/annotations/instances_val2017.json \\
        --images data/coco/train2017 data/coco/val2017 \\
        --categories elephant --num-test 100 --out data/elephant

Image names are the COCO file stems, which are unique across train2017 and
val2017, so both can be merged (random split) or kept apart with
``--split ann`` (the first annotation file is train, the others test).
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

from mmadvseg.datasets.sketch.extract import (
    add_conversion_args,
    run_conversion,
)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Images of COCO categories -> sketch/photo datasets')
    parser.add_argument('--ann', nargs='+', required=True,
                        help='COCO instances_*.json file(s)')
    parser.add_argument('--images', nargs='+', required=True,
                        help='image folder of each --ann file (or one for '
                        'all)')
    parser.add_argument('--categories', nargs='+', required=True,
                        help='category names, e.g. elephant sheep')
    parser.add_argument('--match', choices=['any', 'all'], default='any',
                        help='keep images containing any (default) or all '
                        'of the categories')
    parser.add_argument('--min-area', type=float, default=0.0,
                        help='ignore instances smaller than this fraction of '
                        'the image area (default 0: keep all)')
    parser.add_argument('--include-crowd', action='store_true',
                        help='let crowd annotations select images too')
    parser.add_argument('--split', choices=['random', 'ann'],
                        default='random',
                        help='random seeded split (default) or by annotation '
                        'file (first = train, others = test)')
    parser.add_argument('--max-images', type=int, default=None,
                        help='keep at most this many images (seeded sample)')
    parser.add_argument('--out', required=True, help='output dataset root')
    add_conversion_args(parser)
    return parser.parse_args(argv)


def load_coco(path: str) -> dict:
    """Read a COCO instances json (no pycocotools needed)."""
    with open(path) as f:
        coco = json.load(f)
    for key in ('images', 'annotations', 'categories'):
        if key not in coco:
            raise ValueError(f'{path}: not a COCO instances file (no '
                             f'{key!r} key)')
    return coco


def category_ids(coco: dict, names: Sequence[str], path: str) -> List[int]:
    """COCO category ids of ``names``; unknown names raise a clear error."""
    by_name = {c['name']: c['id'] for c in coco['categories']}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(f'{path}: unknown categories {unknown}; available: '
                         f'{", ".join(sorted(by_name))}')
    return [by_name[n] for n in names]


def select_images(coco: dict,
                  cat_ids: Sequence[int],
                  match: str = 'any',
                  min_area: float = 0.0,
                  include_crowd: bool = False) -> List[dict]:
    """Image records containing the categories, sorted by image id.

    Args:
        coco (dict): COCO instances content.
        cat_ids (Sequence[int]): Wanted category ids.
        match (str): ``'any'`` or ``'all'`` of the categories.
        min_area (float): Smallest instance area, as a fraction of the
            image area, that counts.
        include_crowd (bool): Let ``iscrowd`` annotations count.

    Returns:
        list[dict]: The selected ``images`` entries.
    """
    images = {img['id']: img for img in coco['images']}
    wanted = set(cat_ids)
    found: Dict[int, set] = {}
    for ann in coco['annotations']:
        if ann['category_id'] not in wanted or ann['image_id'] not in images:
            continue
        if ann.get('iscrowd', 0) and not include_crowd:
            continue
        img = images[ann['image_id']]
        area = ann.get('area', 0.0) / max(img['width'] * img['height'], 1)
        if area >= min_area:
            found.setdefault(ann['image_id'], set()).add(ann['category_id'])
    keep = [
        i for i, cats in found.items()
        if match == 'any' or cats == wanted
    ]
    return [images[i] for i in sorted(keep)]


def collect_sources(args: argparse.Namespace
                    ) -> Tuple[Dict[str, str], Dict[str, str]]:
    """``{name: image path}`` and ``{name: split}`` of the selection."""
    if len(args.images) not in (1, len(args.ann)):
        raise ValueError(f'give one --images folder per --ann file '
                         f'({len(args.ann)}) or a single one')
    folders = args.images * len(args.ann) if len(args.images) == 1 \
        else args.images
    sources, ann_split = {}, {}
    for index, (ann_file, folder) in enumerate(zip(args.ann, folders)):
        coco = load_coco(ann_file)
        ids = category_ids(coco, args.categories, ann_file)
        selected = select_images(coco, ids, args.match, args.min_area,
                                 args.include_crowd)
        print(f'{ann_file}: {len(selected)} of {len(coco["images"])} images '
              f'contain {args.match} of {args.categories}')
        for img in selected:
            name = osp.splitext(osp.basename(img['file_name']))[0]
            if name in sources:
                raise ValueError(f'{ann_file}: image {name} appears in two '
                                 'annotation files')
            sources[name] = osp.join(folder, img['file_name'])
            ann_split[name] = 'train' if index == 0 else 'test'
    return sources, ann_split


def subsample(sources: Dict[str, str], max_images: Optional[int],
              seed: int) -> Dict[str, str]:
    """A seeded sample of at most ``max_images`` entries."""
    if max_images is None or len(sources) <= max_images:
        return sources
    import numpy as np
    names = sorted(sources)
    pick = np.random.default_rng(seed).choice(
        len(names), max_images, replace=False)
    return {names[i]: sources[names[i]] for i in sorted(pick)}


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        sources, ann_split = collect_sources(args)
    except (OSError, ValueError, KeyError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    if args.split == 'ann' and (args.num_test is not None
                                or args.test_ratio is not None):
        print('error: --num-test/--test-ratio choose a random split; '
              "--split ann takes the annotation files' split",
              file=sys.stderr)
        return 1
    sources = subsample(sources, args.max_images, args.seed)
    splits = ({n: ann_split[n] for n in sources}
              if args.split == 'ann' else None)
    return run_conversion(args, sources, splits)


if __name__ == '__main__':
    sys.exit(main())
