# Copyright (c) mmadvseg contributors. All rights reserved.
"""Parallel, resumable conversion of photos into sketch/photo datasets.

Every converter (COCO subset, ADE20K bedroom, any folder) turns a list of
:class:`ConvertTask` into files of :mod:`mmadvseg.datasets.layouts` with
:func:`convert_images`:

* one task per source image; a bad file (missing, corrupt, truncated, odd
  format) fails alone with a message naming the file and the fix, the run
  goes on and the failures are listed at the end;
* outputs are written atomically, and a task whose outputs all exist and are
  complete PNGs is skipped, so an interrupted run resumes where it stopped
  (the temporary files of writers that died are removed);
* the settings are recorded in the dataset folder (:mod:`.record`) and a
  rerun with other ones is refused unless it redoes every image, so a
  dataset never mixes two kinds of sketches;
* results are deterministic and independent of the number of processes
  (bit-exact for XDoG and Canny; HED depends on torch's float arithmetic).
"""
import functools
import os
import os.path as osp
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from tqdm import tqdm

from ..utils.fileio import remove_stale_partials
from ..utils.parallel import run_parallel
from .image_io import ImageReadError, read_image, resize_photo
from .layouts import (
    LAYOUTS,
    SPLITS,
    is_complete_png,
    output_paths,
    split_train_test,
    write_sample,
)
from .record import check_settings, write_settings
from .sketch.methods import Sketcher


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
            Defaults to 256.
        resize_mode (str): See :func:`~.image_io.resize_photo`. Defaults to
            ``'stretch'``.
        layouts (tuple[str]): Subset of ``('paired', 'unpaired')``.
        overwrite (bool): Redo tasks whose outputs exist. Defaults to False.
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

    def settings(self) -> Dict[str, Any]:
        """What decides the samples, as the dataset records them."""
        return dict(**self.sketcher.settings(), size=self.size,
                    resize_mode=self.resize_mode)


@dataclass(frozen=True)
class TaskResult:
    """Outcome of one task: ``status`` is done, skipped or failed."""
    src: str
    status: str
    message: str = ''


def convert_one(task: ConvertTask, spec: ConvertSpec) -> TaskResult:
    """Read, resize, sketch and write one image; never raises for bad data.

    Args:
        task (ConvertTask): The image.
        spec (ConvertSpec): The conversion.

    Returns:
        TaskResult: The outcome, with a message for failures.
    """
    outputs = output_paths(spec.out_dir, task.split, task.name, spec.layouts)
    if not spec.overwrite and all(map(is_complete_png, outputs)):
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


@dataclass
class ConversionReport:
    """Counts and failures of a conversion run.

    Args:
        results (list[TaskResult]): One per task, in task order.
        seconds (float): Duration of the run.
    """
    results: List[TaskResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        """Number of tasks with ``status`` (done, skipped or failed)."""
        return sum(r.status == status for r in self.results)

    @property
    def failures(self) -> List[TaskResult]:
        """The failed tasks."""
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


def _report_failure(result: TaskResult) -> None:
    if result.status == 'failed':
        tqdm.write(f'[skip] {result.message}', file=sys.stderr)


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

    Raises:
        ValueError: Duplicate names, or ``spec.out_dir`` records other
            settings and ``spec.overwrite`` is off (nothing is written).
    """
    counts = Counter(t.name for t in tasks)
    if len(counts) != len(tasks):
        dup = sorted(name for name, n in counts.items() if n > 1)[:3]
        raise ValueError(f'output names must be unique, duplicates: {dup}')
    check_settings(spec.out_dir, spec.settings(), spec.overwrite)
    write_settings(spec.out_dir, spec.settings())
    remove_stale_partials(spec.out_dir, recursive=True)
    if nproc > 1 and spec.sketcher.device.startswith('cuda'):
        print('HED on CUDA runs in one process (CUDA does not survive a '
              'fork); ignoring nproc', file=sys.stderr)
        nproc = 1
    start = time.perf_counter()
    results = run_parallel(
        functools.partial(convert_one, spec=spec), list(tasks), nproc,
        desc='sketches', progress=progress, on_result=_report_failure)
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
        seed (int): Split seed. Defaults to 0.
        splits (dict[str, str], optional): Fixed ``{name: split}`` used
            instead of a random split.

    Returns:
        list[ConvertTask]: Sorted by name.
    """
    if splits is None:
        splits = split_train_test(list(sources), num_test, test_ratio, seed)
    return [ConvertTask(sources[n], n, splits[n]) for n in sorted(sources)]


__all__ = [
    'ConvertTask', 'ConvertSpec', 'TaskResult', 'ConversionReport',
    'convert_one', 'convert_images', 'make_tasks'
]
