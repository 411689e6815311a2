# Copyright (c) mmadvseg contributors. All rights reserved.
"""Checks of the image folders a config's datasets point at.

For every ``PairedImageDataset`` / ``UnpairedImageDataset`` of the train,
val and test dataloaders (wrappers such as ``RepeatDataset`` and
``ConcatDataset`` are followed) the folders mmagic will scan are checked:
image counts, a histogram of image sizes, unreadable files (corrupt,
truncated, empty, JPEG data the decoder reports damaged), JPEGs whose
pixels show the step of a wrong DC value (damage the decoder does not
notice, :mod:`.jpeg_damage`), A|B images of odd
width (unequal halves), images of a paired folder that are not A|B pairs
(a photo, in colour where the sketch belongs), PNGs with transparency
(an alpha channel or a tRNS chunk; mmagic drops it), unpaired A/B count and
name mismatches, and leftovers of an interrupted conversion. Relative
``data_root`` paths are resolved from the current directory, as mmagic
does.
:func:`check_dataset_config` is the body of ``tools/misc/check_dataset.py``.
"""
import os
import os.path as osp
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import (
    Any,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from ..utils.fileio import PARTIAL_SUFFIX
from .image_io import ImageReadError, read_image
from .jpeg_damage import DC_STEP_LIMIT, dc_step_score
from .layouts import scan_images

LOADER_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
PAIRED, UNPAIRED = 'PairedImageDataset', 'UnpairedImageDataset'
MAX_LISTED = 10


@dataclass
class FolderStats:
    """What a scan of one image folder found."""
    folder: str
    exists: bool = True
    files: List[str] = field(default_factory=list)
    sizes: Counter = field(default_factory=Counter)  # (w, h) -> count
    unreadable: List[str] = field(default_factory=list)  # messages
    partial: List[str] = field(default_factory=list)
    odd_width: List[str] = field(default_factory=list)
    colour_left: List[str] = field(default_factory=list)
    alpha: List[str] = field(default_factory=list)
    dc_step: List[str] = field(default_factory=list)

    @property
    def names(self) -> List[str]:
        """File stems relative to the folder (how test pairs match)."""
        return [
            osp.splitext(osp.relpath(f, self.folder))[0] for f in self.files
        ]


@dataclass
class Findings:
    """Messages of one dataset check."""
    info: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)


#: ``(where, dataset cfg, findings)`` of one checked dataset.
Result = Tuple[str, Dict[str, Any], Findings]


def _png_has_alpha(path: str) -> bool:
    """Whether a PNG has transparency: an alpha channel (colour type 4 or
    6) or a ``tRNS`` chunk (transparent palette entries or one transparent
    colour). mmagic loads images without it: transparent pixels take the
    colour stored under them, often black."""
    with open(path, 'rb') as f:
        header = f.read(26)
        if header[:8] != b'\x89PNG\r\n\x1a\n' or len(header) < 26:
            return False
        if header[25] in (4, 6):
            return True
        f.seek(8)
        while True:  # the chunks before the image data
            head = f.read(8)
            if len(head) < 8 or head[4:] in (b'IDAT', b'IEND'):
                return False
            if head[4:] == b'tRNS':
                return True
            f.seek(int.from_bytes(head[:4], 'big') + 4, os.SEEK_CUR)


#: A|B check: a pixel is in colour when its channels differ by more than
#: this, and a left half with more such pixels than ``COLOUR_SHARE`` is not
#: a (gray) sketch.
COLOUR_SPREAD, COLOUR_SHARE = 24, 0.05


def _left_half_in_colour(img) -> bool:
    """Whether the left half of an image is in colour, i.e. not a sketch:
    the image is then no A|B pair but, say, a plain photo."""
    left = img[:, :img.shape[1] // 2].astype('int16')
    spread = left.max(axis=2) - left.min(axis=2)
    return float((spread > COLOUR_SPREAD).mean()) > COLOUR_SHARE


def scan_folder(folder: str) -> FolderStats:
    """Read every image mmagic would list under ``folder``.

    Args:
        folder (str): Folder to scan recursively.

    Returns:
        FolderStats: Counts, sizes and problems.
    """
    stats = FolderStats(folder, exists=osp.isdir(folder))
    if not stats.exists:
        return stats
    stats.files = scan_images(folder)
    for path in stats.files:
        try:
            img = read_image(path)
        except ImageReadError as err:
            stats.unreadable.append(str(err))
            continue
        with open(path, 'rb') as f:
            score, where = dc_step_score(img, f.read())
        if score > DC_STEP_LIMIT:
            stats.dc_step.append(f'{path} (from x={where[0]}, y={where[1]})')
        height, width = img.shape[:2]
        stats.sizes[(width, height)] += 1
        if width % 2:
            stats.odd_width.append(f'{path} ({width}x{height})')
        if _left_half_in_colour(img):
            stats.colour_left.append(path)
        if _png_has_alpha(path):
            stats.alpha.append(path)
    stats.partial = [
        osp.join(d, f) for d, _, files in os.walk(folder)
        for f in files if f.endswith(PARTIAL_SUFFIX)
    ]
    return stats


def iter_datasets(
        cfg: Mapping[str, Any]) -> Iterator[Tuple[str, Dict[str, Any]]]:
    """``(where, dataset cfg)`` of every leaf dataset of the dataloaders.

    Args:
        cfg (Mapping): The config (an mmengine ``Config`` or a dict).

    Yields:
        tuple[str, dict]: Where the dataset is in the config, and its
        settings.
    """

    def walk(ds: Any, where: str) -> Iterator[Tuple[str, Dict[str, Any]]]:
        if not isinstance(ds, dict):
            return
        if 'datasets' in ds:
            for i, sub in enumerate(ds['datasets']):
                yield from walk(sub, f'{where}.datasets[{i}]')
        elif 'dataset' in ds:
            yield from walk(ds['dataset'], f'{where}.dataset')
        else:
            yield where, ds

    for key in LOADER_KEYS:
        loaders = cfg.get(key)
        if loaders is None:
            continue
        if isinstance(loaders, dict):
            yield from walk(loaders.get('dataset'), f'{key}.dataset')
        else:
            for i, loader in enumerate(loaders):
                yield from walk(loader.get('dataset'), f'{key}[{i}].dataset')


def dataset_type(ds: Dict[str, Any]) -> str:
    """Type name without a registry scope (``mmagic.X`` -> ``X``)."""
    name = ds.get('type', '')
    name = name if isinstance(name, str) else getattr(name, '__name__', '')
    return name.split('.')[-1]


def dataset_folders(ds: Dict[str, Any]) -> List[Tuple[str, str]]:
    """``(role, folder)`` pairs mmagic 1.2.0 reads for a dataset config."""
    kind, root = dataset_type(ds), str(ds.get('data_root', ''))
    if kind == PAIRED:
        phase = ds.get('test_dir', 'test') if ds.get('test_mode') else 'train'
        return [('A|B', osp.join(root, phase))]
    phase = 'test' if ds.get('test_mode') else 'train'
    return [('A', osp.join(root, phase + 'A')),
            ('B', osp.join(root, phase + 'B'))]


def _listed(items: Sequence[str]) -> List[str]:
    lines = [f'      - {item}' for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        lines.append(f'      ... and {len(items) - MAX_LISTED} more')
    return lines


def _size_histogram(sizes: Counter) -> str:
    common = sizes.most_common(5)
    text = ', '.join(f'{w}x{h} ({n})' for (w, h), n in common)
    if len(sizes) > 5:
        text += f', ... {len(sizes) - 5} more sizes'
    return text or '-'


def check_folder(role: str, stats: FolderStats, paired: bool,
                 found: Findings) -> None:
    """Add the findings of one folder."""
    label = f'{role}: {stats.folder}'
    if not stats.exists:
        found.errors.append(f'{label}: folder does not exist; fix data_root '
                            'or run a converter (tools/dataset_converters)')
        return
    if not stats.files:
        found.errors.append(f'{label}: no image files (mmagic will fail); '
                            'fix data_root or run a converter')
        return
    found.info.append(f'{label}: {len(stats.files)} images, sizes '
                      f'{_size_histogram(stats.sizes)}')
    # (list of files, where it goes, what it is and the fix)
    problems = [
        (stats.unreadable, found.errors,
         'unreadable images (delete and re-convert them)'),
        (stats.odd_width if paired else [], found.errors,
         'A|B images of odd width (the halves differ in size); re-create '
         'them with layouts.make_ab'),
        (stats.colour_left if paired else [], found.errors,
         'images are not A|B pairs (in colour on the left, where the gray '
         'sketch belongs: a plain photo?); make pairs of photos with '
         'tools/dataset_converters/folder_to_sketch.py, or delete them'),
        (stats.dc_step, found.warnings,
         'JPEGs that look damaged: brighter, darker or tinted from one '
         'block on, the mark of garbled data that decodes without an '
         'error; look at them, and re-download or delete the damaged ones'),
        (stats.alpha, found.warnings,
         'PNGs with transparency; mmagic drops it, so transparent parts '
         'load in the colour stored under them (often black). Re-convert '
         'them with tools/dataset_converters/folder_to_sketch.py, which '
         'puts them on white'),
        (stats.partial, found.warnings,
         'unfinished temporary files of an interrupted conversion; rerun '
         'the converter to resume'),
    ]
    for files, messages, what in problems:
        if files:
            messages.append('\n'.join([f'{label}: {len(files)} {what}:'] +
                                      _listed(files)))
    if len(stats.sizes) > 1:
        found.warnings.append(f'{label}: {len(stats.sizes)} different image '
                              'sizes; the pipeline must resize them')


def check_unpaired(ds: Dict[str, Any], stat_a: FolderStats,
                   stat_b: FolderStats, found: Findings) -> None:
    """Compare the A and B folders of an unpaired dataset."""
    if not (stat_a.files and stat_b.files):
        return
    num_a, num_b = len(stat_a.files), len(stat_b.files)
    test = bool(ds.get('test_mode'))
    if num_a != num_b:
        msg = (f'A has {num_a} images, B has {num_b}: UnpairedImageDataset '
               f'has {max(num_a, num_b)} items')
        if test:
            found.errors.append(msg + '; at test time A[i] is paired with '
                                'B[i % len(B)], so the test split must have '
                                'as many A as B images')
        else:
            found.warnings.append(msg + ' (fine for unpaired training)')
    if test:
        only_a = sorted(set(stat_a.names) - set(stat_b.names))
        only_b = sorted(set(stat_b.names) - set(stat_a.names))
        if only_a or only_b:
            found.warnings.append('\n'.join(
                [f'test A/B names differ ({len(only_a)} only in A, '
                 f'{len(only_b)} only in B); test pairs are formed by sorted '
                 'position:'] + _listed(only_a + only_b)))


def check_config(cfg: Mapping[str, Any]) -> List[Result]:
    """Check every dataset of a config.

    Args:
        cfg (Mapping): The config (an mmengine ``Config`` or a dict).

    Returns:
        list: ``(where, dataset cfg, findings)`` per dataset.
    """
    cache: Dict[str, FolderStats] = {}
    results = []
    for where, ds in iter_datasets(cfg):
        found = Findings()
        kind = dataset_type(ds)
        if kind not in (PAIRED, UNPAIRED):
            found.warnings.append(f'dataset type {kind!r} is not checked '
                                  f'(only {PAIRED} and {UNPAIRED})')
            results.append((where, ds, found))
            continue
        if not ds.get('data_root'):
            found.errors.append('no data_root in the dataset config')
            results.append((where, ds, found))
            continue
        stats = []
        for role, folder in dataset_folders(ds):
            key = osp.abspath(folder)
            if key not in cache:
                cache[key] = scan_folder(folder)
            stats.append(cache[key])
            check_folder(role, cache[key], kind == PAIRED, found)
        if kind == UNPAIRED:
            check_unpaired(ds, stats[0], stats[1], found)
        results.append((where, ds, found))
    return results


def format_report(config: str, results: Sequence[Result],
                  strict: bool = False) -> Tuple[str, int]:
    """Readable report and exit code.

    Args:
        config (str): The config file, for the title.
        results (Sequence): The output of :func:`check_config`.
        strict (bool): Warnings fail the check too. Defaults to False.

    Returns:
        tuple[str, int]: The report and the exit code (0 passed, 1
        failed).
    """
    lines = [f'Dataset check of {config}']
    num_err = num_warn = 0
    if not results:
        lines.append('  no train/val/test dataloader datasets found')
        num_err += 1
    for where, ds, found in results:
        state = 'ERROR' if found.errors else (
            'WARNING' if found.warnings else 'OK')
        lines.append(f'\n[{state}] {where}: {dataset_type(ds)} '
                     f'data_root={ds.get("data_root")!r} '
                     f'test_mode={bool(ds.get("test_mode"))}')
        lines += [f'  {m}' for m in found.info]
        lines += [f'  warning: {m}' for m in found.warnings]
        lines += [f'  error: {m}' for m in found.errors]
        num_err += len(found.errors)
        num_warn += len(found.warnings)
    failed = num_err > 0 or (strict and num_warn > 0)
    lines.append(f'\n{len(results)} dataset(s) checked: {num_err} error(s), '
                 f'{num_warn} warning(s) -> {"FAILED" if failed else "OK"}')
    return '\n'.join(lines), int(failed)


def check_dataset_config(config: str,
                         cfg_options: Optional[Dict[str, Any]] = None,
                         strict: bool = False) -> int:
    """Check the datasets of a config file and print the report.

    Args:
        config (str): Config file.
        cfg_options (dict, optional): Settings merged into the config
            (``--cfg-options``).
        strict (bool): Warnings fail the check too. Defaults to False.

    Returns:
        int: Exit code, 0 if no error was found (no warning either with
        ``strict``), 1 otherwise.
    """
    from ..utils.config import (  # the checks need no mmengine
        ConfigError,
        read_config,
    )
    try:
        cfg = read_config(config, cfg_options, import_custom_modules=False)
    except (ConfigError, FileNotFoundError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    report, code = format_report(config, check_config(cfg), strict)
    print(report)
    return code


__all__ = [
    'FolderStats', 'Findings', 'scan_folder', 'iter_datasets',
    'dataset_type', 'dataset_folders', 'check_folder', 'check_unpaired',
    'check_config', 'format_report', 'check_dataset_config'
]
