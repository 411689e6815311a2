# Copyright (c) mmadvseg contributors. All rights reserved.
"""Colorize files and folders into an output folder (``tools/colorize.py``).

One PNG per input under ``out_dir`` with the input's relative name
(``sub/cat.jpg`` -> ``out_dir/sub/cat.png``), written atomically. With a
sketcher (``--from-photo``) the inputs are photos: their sketch is drawn
first and saved beside the output (``cat_sketch.png``); with a grid view,
``cat_grid.png`` shows sketch | colour | segmentation. An input that cannot
be read is named and skipped; the others are written.
"""
import os.path as osp
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from ..datasets.image_io import ImageReadError, to_bgr_uint8
from ..datasets.layouts import atomic_imwrite
from .colorizer import Colorizer
from .inputs import collect_images, load_image, resize_longer

#: Suffixes of the extra files written beside an output.
SKETCH_SUFFIX, GRID_SUFFIX = '_sketch', '_grid'


@dataclass
class ColorizeReport:
    """The outcome of :func:`colorize_to_folder`.

    Args:
        seed (int): The dropout seed used.
        written (list[str]): Written colorizations.
        failed (list[tuple[str, str]]): ``(input, reason)`` of every input
            that was skipped.
    """
    seed: int
    written: List[str] = field(default_factory=list)
    failed: List[Tuple[str, str]] = field(default_factory=list)


def plan_outputs(items: Sequence[Tuple[str, str]], out_dir: str,
                 extras: Sequence[str] = ()) -> List[str]:
    """The output file of every input; refuses clashes before anything is
    written.

    Args:
        items (Sequence[tuple[str, str]]): ``(path, relative name)``.
        out_dir (str): Output folder.
        extras (Sequence[str]): Suffixes of extra files written beside each
            output (``_sketch``, ``_grid``).

    Returns:
        list[str]: ``out_dir/<relative name without extension>.png``.

    Raises:
        ValueError: Two inputs would write the same file, or an output
            would overwrite an input.
    """
    outputs = [
        osp.join(out_dir, osp.splitext(rel)[0] + '.png') for _, rel in items
    ]
    every = [osp.realpath(osp.splitext(out)[0] + suffix + '.png')
             for out in outputs for suffix in ('', *extras)]
    clashes = sorted(name for name, n in Counter(every).items() if n > 1)
    if clashes:
        raise ValueError(
            f'several inputs would write {clashes[0]} (and '
            f'{len(clashes) - 1} more): rename them or colorize them in '
            'separate runs')
    inputs = {osp.realpath(path) for path, _ in items}
    overwritten = sorted(inputs.intersection(every))
    if overwritten:
        raise ValueError(f'{overwritten[0]} would be overwritten by its '
                         'colorization: choose an --out folder outside the '
                         'inputs')
    return outputs


def colorize_to_folder(colorizer: Colorizer,
                       inputs: Sequence[str],
                       out_dir: str,
                       seed: int,
                       batch_size: int = 1,
                       size: Optional[int] = None,
                       sketcher: Optional[Callable[[np.ndarray],
                                                   np.ndarray]] = None,
                       grid: Optional[Callable[[np.ndarray, np.ndarray],
                                               np.ndarray]] = None,
                       progress: bool = True) -> ColorizeReport:
    """Colorize image files and folders into ``out_dir``.

    Args:
        colorizer (Colorizer): The model.
        inputs (Sequence[str]): Image files and folders (recursive).
        out_dir (str): Output folder; files of it found in an input folder
            are not inputs.
        seed (int): Dropout seed.
        batch_size (int): Images per forward pass. Defaults to 1.
        size (int, optional): Longer side the inputs are resized to (aspect
            kept); None keeps their size.
        sketcher (callable, optional): ``photo -> HxW uint8 sketch``: the
            inputs are photos, their sketches are colorized and saved.
        grid (callable, optional): ``(sketch, colour) -> grid image``,
            saved beside each output.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        ColorizeReport: Written files and failures.

    Raises:
        ValueError: Output names clash (nothing is written).
    """
    from tqdm import tqdm
    items = collect_images(inputs, exclude=out_dir)
    extras = [s for s, on in ((SKETCH_SUFFIX, sketcher), (GRID_SUFFIX, grid))
              if on is not None]
    outputs = plan_outputs(items, out_dir, extras)
    report = ColorizeReport(seed)
    sketches: Dict[int, np.ndarray] = {}
    bar = tqdm(total=len(items), desc='colorize', unit='img',
               disable=not progress, dynamic_ncols=True)

    def fail(index: int, reason: str) -> None:
        report.failed.append((items[index][0], reason))
        bar.update(1)

    def sketches_of_inputs() -> Iterator[Tuple[int, np.ndarray]]:
        for index, (path, _) in enumerate(items):
            try:
                img = resize_longer(load_image(path), size)
                if sketcher is not None:
                    img = to_bgr_uint8(sketcher(img))
            except ImageReadError as err:
                fail(index, str(err))
                continue
            except Exception as err:  # noqa: BLE001  (one bad file only)
                fail(index, f'{path}: {type(err).__name__}: {err}; check or '
                     'remove the file')
                continue
            sketches[index] = img
            yield index, img

    try:
        for index, colour in colorizer.run(sketches_of_inputs(), seed,
                                           batch_size):
            sketch, out = sketches.pop(index), outputs[index]
            stem = osp.splitext(out)[0]
            try:
                if sketcher is not None:
                    atomic_imwrite(stem + SKETCH_SUFFIX + '.png', sketch)
                if grid is not None:
                    atomic_imwrite(stem + GRID_SUFFIX + '.png',
                                   grid(sketch, colour))
                atomic_imwrite(out, colour)
            except OSError as err:
                fail(index, f'{out}: cannot write ({err.strerror or err}); '
                     'check the --out folder and the free space')
                continue
            report.written.append(out)
            bar.update(1)
    finally:
        bar.close()
    return report


__all__ = ['ColorizeReport', 'colorize_to_folder', 'plan_outputs',
           'SKETCH_SUFFIX', 'GRID_SUFFIX']
