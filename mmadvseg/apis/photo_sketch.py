# Copyright (c) mmadvseg contributors. All rights reserved.
"""The sketch function that turns photos into the sketches a model was
trained on: the one the converter of its training data recorded
(``conversion.json``), or the one the caller chooses.
"""
import os.path as osp
from typing import Any, Optional, Sequence, Tuple

from ..datasets.record import read_settings, settings_path
from ..datasets.sketch.methods import (
    SKETCH_METHODS,
    Sketcher,
    build_sketcher,
    sketcher_from_options,
)


def recorded_sketcher(roots: Sequence[str]) -> Tuple[Sketcher, str]:
    """The sketch function a converter recorded for a dataset.

    Args:
        roots (Sequence[str]): Folders to look in for ``conversion.json``
            (a dataset root, or a layout folder and its parent).

    Returns:
        tuple: The :class:`Sketcher` and the record's path.

    Raises:
        ValueError: No usable record.
    """
    for root in roots:
        settings = read_settings(root)
        if settings is None:
            continue
        path = settings_path(root)
        if settings.get('sketch') not in SKETCH_METHODS or not isinstance(
                settings.get('params'), dict):
            raise ValueError(
                f'{path} records no sketch extraction (sketch='
                f'{settings.get("sketch")!r}) that a photo can repeat; pass '
                '--sketch and its options')
        return build_sketcher(settings['sketch'], **settings['params']), path
    raise ValueError(
        f'no conversion.json in {" or ".join(roots) or "the model"}: pass '
        'the converted dataset folder (--dataset DIR) or --sketch and its '
        'options')


def photo_sketcher(config: str,
                   dataset: Optional[str] = None,
                   sketch: Optional[str] = None,
                   **sketch_options: Any) -> Tuple[Sketcher, str]:
    """The sketch function for photos: the method ``sketch`` with
    ``sketch_options`` when given, else the one recorded with ``dataset``
    or with the test data of ``config``.

    Args:
        config (str): The model's training config; empty for an ONNX
            model (then ``dataset`` or ``sketch`` is needed).
        dataset (str, optional): A converted dataset folder whose
            ``conversion.json`` gives the sketch settings.
        sketch (str, optional): A sketch method (``xdog``, ``canny``,
            ``hed``); then the record is not read.
        **sketch_options: Its options (see
            :func:`~mmadvseg.datasets.sketch.sketcher_from_options`).

    Returns:
        tuple: The :class:`Sketcher` and where its settings come from.

    Raises:
        ValueError: No usable record (the message says what to pass).
        TypeError: An unknown sketch option.
    """
    if sketch is not None:
        return (sketcher_from_options(sketch, **sketch_options),
                'the --sketch options')
    roots = [dataset] if dataset else []
    if not roots and config:
        from .torch_backend import load_config
        test = load_config(config).test_dataloader.get('dataset', {})
        root = test.get('data_root')
        roots = [root, osp.dirname(osp.normpath(root))] if root else []
    return recorded_sketcher(roots)


__all__ = ['recorded_sketcher', 'photo_sketcher']
