# Copyright (c) mmadvseg contributors. All rights reserved.
"""Parallel, resumable conversion of photos into sketch/photo datasets.

Every converter (COCO subset, ADE20K bedroom, any folder, toy scenes) turns a
list of :class:`ConvertTask` into files of :mod:`mmadvseg.datasets.layouts`
with :func:`convert_images`:

* one task per source image; a bad file (missing, corrupt, truncated, odd
  format) fails alone with a message naming the file and the fix, the run
  goes on and the failures are listed at the end;
* outputs are written atomically, and a task whose outputs all exist and are
  complete PNGs is skipped, so an interrupted run resumes where it stopped;
* results are deterministic and independent of the number of processes
  (bit-exact for XDoG and Canny; HED depends on torch's float arithmetic).
"""
import argparse
import contextlib
import inspect
import json
import multiprocessing
import os
import os.path as osp
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
)

import cv2
import numpy as np
from tqdm import tqdm

from ...utils.parallel import run_parallel
from ..layouts import (
    LAYOUTS,
    SPLITS,
    is_complete_png,
    output_paths,
    split_train_test,
    write_sample,
)
from .canny import canny
from .xdog import XDOG_PRESETS, xdog, xdog_params

SKETCH_METHODS = ('xdog', 'canny', 'hed')
RESIZE_MODES = ('stretch', 'crop', 'none')
#: Settings of the conversion that wrote a dataset folder.
SETTINGS_FILE = 'conversion.json'


class ImageReadError(ValueError):
    """A source image that cannot be used; the message names file and fix."""


# -------------------------------------------------------------------- input
def _looks_truncated_jpeg(data: bytes) -> bool:
    """A JPEG whose image data has no end-of-image marker.

    OpenCV decodes such files without error (the missing part grey). The
    header segments are skipped by their lengths (an EXIF thumbnail has an
    end marker of its own); data after the marker (motion photos, vendor
    trailers) is fine.
    """
    if data[:2] != b'\xff\xd8':
        return False
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:  # not a marker: leave it to the decoder
            return False
        if data[pos + 1] == 0xFF:  # fill byte
            pos += 1
        elif data[pos + 1] == 0xDA:  # start of the image data
            return b'\xff\xd9' not in data[pos:]
        else:
            pos += 2 + int.from_bytes(data[pos + 2:pos + 4], 'big')
    return True


def decode_image(data: bytes, path: str = '<bytes>') -> np.ndarray:
    """Decode image bytes into a 3-channel BGR uint8 array.

    Gray images are replicated to three channels, an alpha channel is
    composited over white, 16-bit and float images are scaled to 8 bits.

    Args:
        data (bytes): Encoded image.
        path (str): Name used in error messages.

    Returns:
        np.ndarray: ``HxWx3`` uint8 BGR image.
    """
    if not data:
        raise ImageReadError(f'{path}: empty file; delete or replace it')
    if _looks_truncated_jpeg(data):
        raise ImageReadError(f'{path}: truncated JPEG (no end-of-image '
                             'marker); re-download or delete the file')
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None or img.size == 0:
        raise ImageReadError(f'{path}: cannot decode (corrupt, truncated or '
                             'not an image); re-download or delete the file')
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = np.clip(img.astype(np.float32) * 255.0, 0, 255).astype(np.uint8)
    if img.ndim == 2:
        img = img[..., None]
    channels = img.shape[2]
    if channels in (2, 4):  # gray + alpha or BGRA: composite over white
        alpha = img[..., -1:].astype(np.float32) / 255.0
        color = img[..., :-1].astype(np.float32)
        img = np.rint(color * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
        channels -= 1
    if channels == 1:
        img = np.repeat(img, 3, axis=2)
    elif channels != 3:
        raise ImageReadError(f'{path}: unsupported {channels}-channel image; '
                             'convert it to RGB first')
    return np.ascontiguousarray(img)


def read_image(path: str) -> np.ndarray:
    """Read an image file into a 3-channel BGR uint8 array.

    EXIF orientation is ignored (pixels are used as stored, like COCO's
    annotations). See :func:`decode_image` for the conversions.

    Args:
        path (str): Image path.

    Returns:
        np.ndarray: ``HxWx3`` uint8 BGR image.
    """
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        raise ImageReadError(f'{path}: file not found; check the image '
                             'folder argument') from None
    except OSError as err:
        raise ImageReadError(f'{path}: cannot read ({err.strerror}); check '
                             'its permissions') from None
    return decode_image(data, path)


def resize_photo(img: np.ndarray, size: Optional[int],
                 mode: str = 'stretch') -> np.ndarray:
    """Bring a photo to the dataset resolution.

    Args:
        img (np.ndarray): ``HxWx3`` uint8 image.
        size (int, optional): Side of the square output; None keeps the
            input size.
        mode (str): ``'stretch'`` (resize to ``size x size`` ignoring the
            aspect ratio, as the AdvSegLoss data), ``'crop'`` (centre square
            crop, then resize) or ``'none'`` (keep the size).

    Returns:
        np.ndarray: Resized image.
    """
    if mode not in RESIZE_MODES:
        raise ValueError(f'resize mode must be one of {RESIZE_MODES}, got '
                         f'{mode!r}')
    if size is None or mode == 'none':
        return img
    if mode == 'crop':
        height, width = img.shape[:2]
        side = min(height, width)
        top, left = (height - side) // 2, (width - side) // 2
        img = img[top:top + side, left:left + side]
    shrink = img.shape[0] * img.shape[1] > size * size
    return cv2.resize(
        img, (size, size),
        interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)


# ------------------------------------------------------------------ sketcher
_HED_CACHE: Dict[Tuple[str, str], Any] = {}


@dataclass(frozen=True)
class Sketcher:
    """A picklable sketch function: ``Sketcher(method, params)(bgr)``.

    Args:
        method (str): ``'xdog'``, ``'canny'`` or ``'hed'``.
        params (tuple): Sorted ``(name, value)`` pairs of keyword arguments
            of :func:`~.xdog.xdog`, :func:`~.canny.canny` or
            :func:`~.hed.hed_sketch` (for HED also ``weights`` and
            ``device``). Use :func:`build_sketcher` to make one.
    """
    method: str
    params: Tuple[Tuple[str, Any], ...] = ()

    def __call__(self, img: np.ndarray) -> np.ndarray:
        kwargs = dict(self.params)
        if self.method == 'xdog':
            return xdog(img, **kwargs)
        if self.method == 'canny':
            return canny(img, **kwargs)
        from .hed import hed_sketch  # torch only when HED is used
        model = self._hed_model(
            kwargs.pop('weights'), kwargs.pop('device', 'cpu'))
        return hed_sketch(img, model, **kwargs)

    def validate(self) -> None:
        """Fail early (not once per image) on a bad parameter or weights."""
        kwargs = dict(self.params)
        if self.method == 'hed':
            from .hed import hed_sketch
            self._hed_model(kwargs.pop('weights'), kwargs.pop('device', 'cpu'))
            func: Callable = hed_sketch
            args: tuple = (None, None)
        else:
            func, args = (xdog if self.method == 'xdog' else canny), (None, )
        try:
            inspect.signature(func).bind(*args, **kwargs)
        except TypeError as err:
            raise TypeError(f'bad {self.method} sketch parameters '
                            f'{sorted(kwargs)}: {err}') from None

    @staticmethod
    def _hed_model(weights: str, device: str) -> Any:
        """The HED network of this process, loaded once."""
        key = (osp.abspath(weights), device)
        if key not in _HED_CACHE:
            from .hed import load_hed
            _HED_CACHE[key] = load_hed(weights, device)
        return _HED_CACHE[key]


def build_sketcher(method: str = 'xdog', **params: Any) -> Sketcher:
    """Build a :class:`Sketcher` and validate its parameters.

    Args:
        method (str): ``'xdog'``, ``'canny'`` or ``'hed'``.
        **params: For ``'xdog'``: ``preset`` (a key of
            :data:`~.xdog.XDOG_PRESETS`, default ``'reference'``) and any
            parameter of :func:`~.xdog.xdog` to override it. For ``'canny'``:
            parameters of :func:`~.canny.canny`. For ``'hed'``: ``weights``
            (required local file), ``device`` and parameters of
            :func:`~.hed.hed_sketch`. None values mean "default".

    Returns:
        Sketcher: The sketch function.
    """
    params = {k: v for k, v in params.items() if v is not None}
    if method == 'xdog':
        params = xdog_params(params.pop('preset', 'reference'), **params)
    elif method == 'hed':
        from .hed import missing_weights_message
        weights = params.get('weights')
        if not weights or not osp.isfile(weights):
            raise FileNotFoundError(missing_weights_message(weights))
        params['weights'] = osp.abspath(weights)
    elif method != 'canny':
        raise ValueError(f'unknown sketch method {method!r}; choose one of '
                         f'{SKETCH_METHODS}')
    sketcher = Sketcher(method, tuple(sorted(params.items())))
    sketcher.validate()
    return sketcher


# ---------------------------------------------------------------- converter
@dataclass(frozen=True)
class ConvertTask:
    """One source image and where it goes.

    Args:
        src (str): Source image path.
        name (str): Output file stem (unique in the dataset).
        split (str): ``'train'`` or ``'test'``.
    """
    src: str
    name: str
    split: str


@dataclass(frozen=True)
class ConvertSpec:
    """How every task of a conversion is processed.

    Args:
        out_dir (str): Dataset root.
        sketcher (Sketcher): Sketch function.
        size (int, optional): Output side; None keeps the source size.
        resize_mode (str): See :func:`resize_photo`.
        layouts (tuple[str]): Subset of ``('paired', 'unpaired')``.
        overwrite (bool): Redo tasks whose outputs exist.
    """
    out_dir: str
    sketcher: Sketcher
    size: Optional[int] = 256
    resize_mode: str = 'stretch'
    layouts: Tuple[str, ...] = LAYOUTS
    overwrite: bool = False

    def __post_init__(self) -> None:
        if self.size is not None and self.size <= 0:
            raise ValueError(f'size must be a positive number of pixels, '
                             f'got {self.size}')


@dataclass(frozen=True)
class TaskResult:
    """Outcome of one task: ``status`` is done, skipped or failed."""
    src: str
    status: str
    message: str = ''


def outputs_complete(paths: Sequence[str]) -> bool:
    """Whether every path is a complete PNG (a finished, resumable task)."""
    return all(is_complete_png(p) for p in paths)


def convert_one(task: ConvertTask, spec: ConvertSpec) -> TaskResult:
    """Read, resize, sketch and write one image; never raises for bad data.

    Args:
        task (ConvertTask): The image.
        spec (ConvertSpec): The conversion.

    Returns:
        TaskResult: The outcome, with a message for failures.
    """
    outputs = output_paths(spec.out_dir, task.split, task.name, spec.layouts)
    if not spec.overwrite and outputs_complete(outputs):
        return TaskResult(task.src, 'skipped', _leave_other_splits(task, spec))
    try:
        photo = resize_photo(read_image(task.src), spec.size,
                             spec.resize_mode)
        sketch = spec.sketcher(photo)
        write_sample(spec.out_dir, task.split, task.name, sketch, photo,
                     spec.layouts)
    except ImageReadError as err:
        return TaskResult(task.src, 'failed', str(err))
    except Exception as err:  # noqa: BLE001  (one bad file never stops a run)
        return TaskResult(
            task.src, 'failed',
            f'{task.src}: {type(err).__name__}: {err}; check or remove the '
            'file')
    return TaskResult(task.src, 'done', _leave_other_splits(task, spec))


def _leave_other_splits(task: ConvertTask, spec: ConvertSpec) -> str:
    """Remove the sample from the split it had before (other sources or
    another --num-test moved it), once it is complete in its new one: train
    and test must not share it. Returns a note for the report."""
    moved = [
        path for split in SPLITS if split != task.split
        for path in output_paths(spec.out_dir, split, task.name, spec.layouts)
        if osp.lexists(path)
    ]
    for path in moved:
        os.remove(path)
    return f'moved from {moved[0]}' if moved else ''


class _ConvertFn:
    """Picklable ``task -> convert_one(task, spec)``."""

    def __init__(self, spec: ConvertSpec) -> None:
        self.spec = spec

    def __call__(self, task: ConvertTask) -> TaskResult:
        return convert_one(task, self.spec)


@dataclass
class ConversionReport:
    """Counts and failures of a conversion run."""
    results: List[TaskResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failures(self) -> List[TaskResult]:
        return [r for r in self.results if r.status == 'failed']

    def summary(self) -> str:
        """A readable summary: counts, speed and every failure."""
        done, total = self.count('done'), len(self.results)
        speed = done / self.seconds if self.seconds > 0 else 0.0
        lines = [
            f'{total} images: {done} converted, {self.count("skipped")} '
            f'already done (skipped), {len(self.failures)} failed '
            f'[{self.seconds:.1f} s, {speed:.1f} images/s]'
        ]
        if self.failures:
            lines.append('Failed files (the others were written; fix or '
                         'remove these and run again to resume):')
            lines += [f'  - {r.message}' for r in self.failures]
        return '\n'.join(lines)


def record_settings(spec: ConvertSpec) -> None:
    """Write ``conversion.json`` in ``spec.out_dir``; refuse settings that
    differ from the recorded ones unless ``spec.overwrite``.

    A resumed conversion skips finished images, so a rerun with another
    sketch method, size or parameters would leave a dataset of mixed
    sketches.

    Args:
        spec (ConvertSpec): The conversion about to run.

    Raises:
        ValueError: The folder holds a conversion with other settings.
    """
    params = {k: v for k, v in spec.sketcher.params if k != 'device'}
    settings = json.loads(json.dumps(dict(
        sketch=spec.sketcher.method, params=params, size=spec.size,
        resize_mode=spec.resize_mode)))
    path = osp.join(spec.out_dir, SETTINGS_FILE)
    if osp.isfile(path) and not spec.overwrite:
        with open(path) as f:
            recorded = json.load(f)
        if recorded != settings:
            raise ValueError(
                f'{spec.out_dir} holds a conversion with other settings '
                f'({recorded}, now {settings}): pass --overwrite to redo '
                'every image with the new ones, or write to another folder')
    os.makedirs(spec.out_dir, exist_ok=True)
    with open(f'{path}.partial', 'w') as f:
        json.dump(settings, f, indent=2)
    os.replace(f'{path}.partial', path)


def convert_images(tasks: Sequence[ConvertTask],
                   spec: ConvertSpec,
                   nproc: int = 1,
                   progress: bool = True) -> ConversionReport:
    """Convert source images into the sketch/photo layouts.

    Args:
        tasks (Sequence[ConvertTask]): The images; names must be unique.
        spec (ConvertSpec): Output root, sketcher, size and layouts.
        nproc (int): Number of processes. Defaults to 1.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        ConversionReport: Per-task outcomes.
    """
    counts = Counter(t.name for t in tasks)
    if len(counts) != len(tasks):
        dup = sorted(name for name, n in counts.items() if n > 1)[:3]
        raise ValueError(f'output names must be unique, duplicates: {dup}')

    record_settings(spec)
    device = str(dict(spec.sketcher.params).get('device', 'cpu'))
    if nproc > 1 and device.startswith('cuda'):
        print('HED on CUDA runs in one process (CUDA does not survive a '
              'fork); ignoring nproc', file=sys.stderr)
        nproc = 1

    def report_failure(result: TaskResult) -> None:
        if result.status == 'failed':
            tqdm.write(f'[skip] {result.message}', file=sys.stderr)

    start = time.perf_counter()
    results = run_parallel(
        _ConvertFn(spec), list(tasks), nproc, desc='sketches',
        progress=progress, on_result=report_failure)
    return ConversionReport(results, time.perf_counter() - start)


def make_tasks(sources: Dict[str, str],
               num_test: Optional[int] = None,
               test_ratio: Optional[float] = None,
               seed: int = 0,
               splits: Optional[Dict[str, str]] = None) -> List[ConvertTask]:
    """Tasks from ``{name: source path}`` with a deterministic split.

    Args:
        sources (dict[str, str]): Output stem -> source image.
        num_test (int, optional): Number of test images (random, seeded).
        test_ratio (float, optional): Fraction of test images when
            ``num_test`` is None.
        seed (int): Split seed.
        splits (dict[str, str], optional): Fixed ``{name: split}`` used
            instead of a random split.

    Returns:
        list[ConvertTask]: Sorted by name.
    """
    if splits is None:
        splits = split_train_test(list(sources), num_test, test_ratio, seed)
    return [ConvertTask(sources[n], n, splits[n]) for n in sorted(sources)]


# ---------------------------------------------------------------------- CLI
def add_conversion_args(parser: argparse.ArgumentParser,
                        split: bool = True) -> None:
    """Add the options shared by every converter CLI.

    Args:
        parser (argparse.ArgumentParser): Parser to extend.
        split (bool): Add ``--num-test``/``--test-ratio``/``--seed``.
    """
    out = parser.add_argument_group('output')
    out.add_argument('--size', type=int, default=256,
                     help='side of the square output images (default 256)')
    out.add_argument('--resize-mode', choices=RESIZE_MODES, default='stretch',
                     help='stretch (default, as the paper data), centre crop '
                     'then resize, or keep the size (none)')
    out.add_argument('--layouts', nargs='+', choices=LAYOUTS,
                     default=list(LAYOUTS),
                     help='OUT/paired/{train,test} (A|B images) and/or '
                     'OUT/unpaired/{train,test}{A,B}; default both')
    out.add_argument('--nproc', type=int, default=2, help='processes')
    out.add_argument('--overwrite', action='store_true',
                     help='redo images whose outputs exist (default: skip '
                     'them, i.e. resume)')
    out.add_argument('--no-progress', action='store_true',
                     help='hide the progress bar')
    if split:
        out.add_argument('--num-test', type=int, default=None,
                         help='number of test images (random, seeded)')
        out.add_argument('--test-ratio', type=float, default=None,
                         help='fraction of test images if --num-test is not '
                         'given (default 0.1; converters of datasets with '
                         'their own split use it when neither is given)')
        out.add_argument('--seed', type=int, default=0, help='split seed')

    sk = parser.add_argument_group('sketch extraction')
    sk.add_argument('--sketch', choices=SKETCH_METHODS, default='xdog',
                    help='sketch method (default xdog)')
    sk.add_argument('--xdog-preset', choices=sorted(XDOG_PRESETS),
                    default='reference',
                    help='XDoG parameter set (default: the reference code)')
    for name in ('sigma', 'k', 'gamma', 'phi', 'eps', 'threshold'):
        sk.add_argument(f'--xdog-{name}', type=float, default=None,
                        help=f'override the preset XDoG {name}')
    sk.add_argument('--canny-low', type=float, default=None)
    sk.add_argument('--canny-high', type=float, default=None)
    sk.add_argument('--canny-blur-sigma', type=float, default=None)
    sk.add_argument('--canny-thickness', type=int, default=None)
    sk.add_argument('--hed-weights', default=None,
                    help='local HED weights file (required for --sketch hed)')
    sk.add_argument('--hed-postprocess', action='store_true',
                    help='NMS + threshold + thinning of the HED edges')
    sk.add_argument('--hed-threshold', type=float, default=None)
    sk.add_argument('--hed-min-size', type=int, default=None)
    sk.add_argument('--hed-input-size', type=int, default=None,
                    help='run HED on a square resize (the reference used 500)')
    sk.add_argument('--device', default='cpu',
                    help='HED device (with cuda use --nproc 1)')


def sketcher_from_args(args: argparse.Namespace) -> Sketcher:
    """Build the :class:`Sketcher` selected by :func:`add_conversion_args`.

    Args:
        args (argparse.Namespace): Parsed arguments.

    Returns:
        Sketcher: The sketch function.
    """
    if args.sketch == 'xdog':
        return build_sketcher(
            'xdog', preset=args.xdog_preset, sigma=args.xdog_sigma,
            k=args.xdog_k, gamma=args.xdog_gamma, phi=args.xdog_phi,
            eps=args.xdog_eps, threshold=args.xdog_threshold)
    if args.sketch == 'canny':
        return build_sketcher(
            'canny', low=args.canny_low, high=args.canny_high,
            blur_sigma=args.canny_blur_sigma, thickness=args.canny_thickness)
    return build_sketcher(
        'hed', weights=args.hed_weights, device=args.device,
        postprocess=args.hed_postprocess, threshold=args.hed_threshold,
        min_size=args.hed_min_size, input_size=args.hed_input_size)


def run_conversion(args: argparse.Namespace,
                   sources: Dict[str, str],
                   splits: Optional[Dict[str, str]] = None) -> int:
    """Shared body of the converter CLIs.

    Args:
        args (argparse.Namespace): Parsed :func:`add_conversion_args` options
            plus ``out``.
        sources (dict[str, str]): Output stem -> source image.
        splits (dict[str, str], optional): Fixed split per name; otherwise
            ``--num-test``/``--test-ratio``/``--seed`` decide.

    Returns:
        int: Exit code, 0 if every image was converted or already done,
        1 if some failed (the others are written).
    """
    if not sources:
        print('No images selected; nothing to do.', file=sys.stderr)
        return 1
    try:
        sketcher = sketcher_from_args(args)
        if splits is None:
            ratio = args.test_ratio
            if args.num_test is None and ratio is None:
                ratio = 0.1
            tasks = make_tasks(sources, args.num_test, ratio, args.seed)
        else:
            tasks = make_tasks(sources, splits=splits)
        spec = ConvertSpec(args.out, sketcher, args.size, args.resize_mode,
                           tuple(args.layouts), args.overwrite)
    except (FileNotFoundError, KeyError, TypeError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    num_test = sum(t.split == 'test' for t in tasks)
    print(f'{len(tasks)} images ({len(tasks) - num_test} train, {num_test} '
          f'test) -> {args.out} [{args.sketch}, {args.size}px, '
          f'{" + ".join(args.layouts)}]')
    try:
        report = convert_images(tasks, spec, args.nproc,
                                progress=not args.no_progress)
    except ValueError as err:  # settings differ from the folder's
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(report.summary())
    return 1 if report.failures else 0
