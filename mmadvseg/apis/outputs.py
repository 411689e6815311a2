# Copyright (c) mmadvseg contributors. All rights reserved.
"""Where the colorizer writes (``Colorizer(..., out_dir=DIR)``,
``tools/colorize.py --out DIR``).

One PNG per input under the output folder with the input's relative name
(``sub/cat.jpg`` -> ``DIR/sub/cat.png``; an in-memory image is named by its
index, ``000003.png``), written atomically. Beside it, the sketch drawn from
a photo (``cat_sketch.png``) and the grid view (``cat_grid.png``). Clashing
names are refused before anything is written, and so are earlier outputs
unless ``overwrite`` (as ``tools/test.py --overwrite``).
"""
import os.path as osp
from collections import Counter
from typing import List, Optional, Sequence, Tuple

import numpy as np

from ..datasets.layouts import atomic_imwrite

#: Suffixes of the extra files written beside an output.
SKETCH_SUFFIX, GRID_SUFFIX = '_sketch', '_grid'


def plan_outputs(items: Sequence[Tuple[Optional[str], str]], out_dir: str,
                 extras: Sequence[str] = (),
                 overwrite: bool = False) -> List[str]:
    """The output file of every input; refuses clashes before anything is
    written.

    Args:
        items (Sequence[tuple[str, str]]): ``(path, relative name)``; the
            path is None for an in-memory image.
        out_dir (str): Output folder.
        extras (Sequence[str]): Suffixes of extra files written beside each
            output (``_sketch``, ``_grid``).
        overwrite (bool): Earlier outputs may be replaced. Defaults to
            False.

    Returns:
        list[str]: ``out_dir/<relative name without extension>.png``.

    Raises:
        ValueError: Two inputs would write the same file, or an output
            would overwrite an input, or (without ``overwrite``) an earlier
            output.
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
    inputs = {osp.realpath(path) for path, _ in items if path}
    overwritten = sorted(inputs.intersection(every))
    if overwritten:
        raise ValueError(f'{overwritten[0]} would be overwritten by its '
                         'colorization: choose an --out folder outside the '
                         'inputs')
    earlier = [] if overwrite else [path for path in every
                                    if osp.lexists(path)]
    if earlier:
        raise ValueError(
            f'{out_dir} holds outputs of an earlier run ({earlier[0]} and '
            f'{len(earlier) - 1} more): pass --overwrite (overwrite=True) to '
            'replace them, or choose another --out folder')
    return outputs


def write_outputs(out: str,
                  colour: np.ndarray,
                  sketch: Optional[np.ndarray] = None,
                  grid: Optional[np.ndarray] = None) -> None:
    """Write a colorization, and the sketch and grid beside it when given
    (each atomically; the colorization last).

    Args:
        out (str): The output file (see :func:`plan_outputs`).
        colour (np.ndarray): The colorization.
        sketch (np.ndarray, optional): The sketch drawn from a photo.
        grid (np.ndarray, optional): The grid view.

    Raises:
        OSError: A file cannot be written.
    """
    stem = osp.splitext(out)[0]
    for suffix, img in ((SKETCH_SUFFIX, sketch), (GRID_SUFFIX, grid)):
        if img is not None:
            atomic_imwrite(stem + suffix + '.png', img)
    atomic_imwrite(out, colour)


__all__ = ['plan_outputs', 'write_outputs', 'SKETCH_SUFFIX', 'GRID_SUFFIX']
