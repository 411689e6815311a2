# Copyright (c) mmadvseg contributors. All rights reserved.
"""The source photos of the converters: which images of COCO, ADE20K or a
folder make a dataset.

Each ``*_sources`` function returns ``{name: image path}`` (the name is the
output file stem) and, where the source has one, its own ``{name: split}``;
:func:`~.convert.make_tasks` turns them into conversion tasks. Bad input
(a file that is not an index, an unknown category, two images of one name)
raises ``ValueError`` with the file and the fix.
"""
import json
import os.path as osp
import pickle
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from .layouts import scan_images

Sources = Dict[str, str]
Splits = Dict[str, str]
Entry = Tuple[str, str, str]  # (name, image path, split)


# ------------------------------------------------------------------- COCO
def load_coco(path: str) -> dict:
    """Read a COCO instances json (no pycocotools needed).

    Args:
        path (str): ``instances_*.json`` file.

    Returns:
        dict: Its content, with ``images``, ``annotations`` and
        ``categories``.
    """
    with open(path) as f:
        coco = json.load(f)
    for key in ('images', 'annotations', 'categories'):
        if key not in coco:
            raise ValueError(f'{path}: not a COCO instances file (no '
                             f'{key!r} key)')
    return coco


def category_ids(coco: dict, names: Sequence[str], path: str) -> List[int]:
    """COCO category ids of ``names``; unknown names raise a clear error.

    Args:
        coco (dict): COCO instances content.
        names (Sequence[str]): Category names.
        path (str): The annotation file, for the error message.

    Returns:
        list[int]: The ids, in the order of ``names``.
    """
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


def coco_sources(ann_files: Sequence[str],
                 image_folders: Sequence[str],
                 categories: Sequence[str],
                 match: str = 'any',
                 min_area: float = 0.0,
                 include_crowd: bool = False) -> Tuple[Sources, Splits]:
    """The images of COCO annotation files that show the categories.

    Image names are the COCO file stems, unique across train2017 and
    val2017, so several files can be merged.

    Args:
        ann_files (Sequence[str]): COCO ``instances_*.json`` files.
        image_folders (Sequence[str]): The image folder of each file, or
            one for all.
        categories (Sequence[str]): Category names.
        match, min_area, include_crowd: See :func:`select_images`.

    Returns:
        tuple[dict, dict]: ``{name: image path}`` and the split by file
        (the first is train, the others test).
    """
    if len(image_folders) not in (1, len(ann_files)):
        raise ValueError(f'give one --images folder per --ann file '
                         f'({len(ann_files)}) or a single one')
    folders = list(image_folders) * len(ann_files) \
        if len(image_folders) == 1 else image_folders
    sources, ann_split = {}, {}
    for index, (ann_file, folder) in enumerate(zip(ann_files, folders)):
        coco = load_coco(ann_file)
        ids = category_ids(coco, categories, ann_file)
        selected = select_images(coco, ids, match, min_area, include_crowd)
        print(f'{ann_file}: {len(selected)} of {len(coco["images"])} images '
              f'contain {match} of {list(categories)}')
        for img in selected:
            name = osp.splitext(osp.basename(img['file_name']))[0]
            if name in sources:
                raise ValueError(f'{ann_file}: image {name} appears in two '
                                 'annotation files')
            sources[name] = osp.join(folder, img['file_name'])
            ann_split[name] = 'train' if index == 0 else 'test'
    return sources, ann_split


def subsample(sources: Sources, max_images: Optional[int],
              seed: int) -> Sources:
    """A seeded sample of at most ``max_images`` entries.

    Args:
        sources (dict[str, str]): ``{name: image path}``.
        max_images (int, optional): Limit; None keeps all.
        seed (int): Sampling seed.

    Returns:
        dict[str, str]: The sample (``sources`` itself when under the
        limit).
    """
    if max_images is None or len(sources) <= max_images:
        return sources
    names = sorted(sources)
    pick = np.random.default_rng(seed).choice(
        len(names), max_images, replace=False)
    return {names[i]: sources[names[i]] for i in sorted(pick)}


# ----------------------------------------------------------------- ADE20K
def scene_matches(scene: object, wanted: Sequence[str]) -> bool:
    """Whether an ADE20K scene label (str or list of str) is wanted: one of
    its ``/``-separated parts is in ``wanted``."""
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
    """Entries of an ADE20K 2021 ``index_ade20k.pkl`` (a trusted pickle)."""
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


def ade20k_sources(index: str, root: str,
                   scenes: Sequence[str]) -> Tuple[Sources, Splits]:
    """The images of ADE20K scenes and ADE20K's own split.

    Two index formats are read: ADE20K 2021's ``index_ade20k.pkl`` (images
    ``ROOT/folder/filename``, ``ROOT`` the folder holding
    ``ADE20K_2021_17_01`` or that folder itself; validation folders are the
    test split) and ADEChallengeData2016's ``sceneCategories.txt`` (images
    ``ROOT/images/{training,validation}/NAME.jpg``; ``ADE_val_*`` is test).

    Args:
        index (str): The index file.
        root (str): Folder the index paths are relative to.
        scenes (Sequence[str]): Scene names to keep, e.g. ``['bedroom']``.

    Returns:
        tuple[dict, dict]: ``{name: image path}`` and ``{name: split}``.
    """
    if index.endswith('.pkl'):
        entries = read_pkl_index(index, root, scenes)
    elif index.endswith('.txt'):
        entries = read_txt_index(index, root, scenes)
    else:
        raise ValueError(f'{index}: expected index_ade20k.pkl or '
                         'sceneCategories.txt')
    sources, splits = {}, {}
    for name, path, split in entries:
        sources[name], splits[name] = path, split
    print(f'{index}: {len(sources)} images of scene(s) {list(scenes)}')
    return sources, splits


# ----------------------------------------------------------------- folder
def folder_sources(folder: str) -> Sources:
    """``{name: path}`` of the images under ``folder`` (recursive): the
    name is the relative path without suffix, ``/`` replaced by ``__``.

    Args:
        folder (str): Folder of photos.

    Returns:
        dict[str, str]: ``{name: image path}``.
    """
    if not osp.isdir(folder):
        raise NotADirectoryError(f'{folder}: no such folder')
    sources = {}
    for path in scan_images(folder):
        rel = osp.splitext(osp.relpath(path, folder))[0]
        name = rel.replace(osp.sep, '__')
        if name in sources:
            raise ValueError(f'{path} and {sources[name]} map to the same '
                             'output name; rename one of them')
        sources[name] = path
    return sources


def train_test_folder_sources(train: str,
                              test: str) -> Tuple[Sources, Splits]:
    """The photos of a train folder and a test folder, and their split.

    Args:
        train (str): Folder of train photos.
        test (str): Folder of test photos.

    Returns:
        tuple[dict, dict]: ``{name: image path}`` and ``{name: split}``.
    """
    sources, test_sources = folder_sources(train), folder_sources(test)
    clash = sorted(set(test_sources) & set(sources))
    if clash:
        raise ValueError(f'names in both folders: {clash[:3]}; rename them')
    splits = {**{n: 'train' for n in sources},
              **{n: 'test' for n in test_sources}}
    return {**sources, **test_sources}, splits


__all__ = [
    'load_coco', 'category_ids', 'select_images', 'coco_sources',
    'subsample', 'scene_matches', 'read_pkl_index', 'read_txt_index',
    'ade20k_sources', 'folder_sources', 'train_test_folder_sources'
]
