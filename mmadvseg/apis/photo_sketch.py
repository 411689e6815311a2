# Copyright (c) mmadvseg contributors. All rights reserved.
"""The sketch function that turns photos into sketches for a model, the
same for ``tools/colorize.py --from-photo``, ``Colorizer(...,
from_photo=True)`` and the web page: the options the caller gives, else the
one the converter of the model's training data recorded
(``conversion.json``), else :data:`DEFAULT_PHOTO_SKETCH`.
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

#: The sketch of photos when the training data records none a photo can
#: repeat (e.g. the rendered outlines of the toy scenes, or an ONNX model):
#: XDoG with the XDoG paper's parameters, which draws lines on real photos
#: where the ``reference`` preset fills dark regions with black blotches
#: (docs/photo_sketches.png, made by
#: ``tools/analysis/photo_sketch_comparison.py``).
DEFAULT_PHOTO_SKETCH = dict(method='xdog', preset='xdog_paper')


def describe_sketcher(sketcher: Sketcher) -> str:
    """A sketch function in words: ``xdog (eps=-0.01, k=1.6, ...)``."""
    params = ', '.join(f'{k}={v}' for k, v in sketcher.params
                       if k != 'device')
    return f'{sketcher.method} ({params})'


def recorded_sketcher(roots: Sequence[str]
                      ) -> Tuple[Optional[Sketcher], str]:
    """The sketch function a converter recorded for a dataset.

    Args:
        roots (Sequence[str]): Folders to look in for ``conversion.json``
            (a dataset root, or a layout folder and its parent).

    Returns:
        tuple: The :class:`Sketcher` and the record's path; or None and
        why there is none (for messages).
    """
    for root in roots:
        settings = read_settings(root)
        if settings is None:
            continue
        path = settings_path(root)
        if settings.get('sketch') not in SKETCH_METHODS or not isinstance(
                settings.get('params'), dict):
            return None, ('the training data\'s sketches were not drawn '
                          f'from photos (they are {settings.get("sketch")!r}'
                          ')')
        return build_sketcher(settings['sketch'], **settings['params']), path
    if not roots:
        return None, 'the model does not say how its sketches were made'
    return None, ('no record of how the training data was sketched in '
                  f'{" or ".join(roots)}')


def photo_sketcher(config: Any,
                   dataset: Optional[str] = None,
                   sketch: Optional[str] = None,
                   **sketch_options: Any) -> Tuple[Sketcher, str]:
    """The sketch function for photos: the method ``sketch`` with
    ``sketch_options`` when given, else the one recorded with ``dataset``
    or with the test (else training) data of ``config``, else
    :data:`DEFAULT_PHOTO_SKETCH`.

    Args:
        config (str | Config): The model's training config (a file or
            loaded); empty for an ONNX model.
        dataset (str, optional): A converted dataset folder whose
            ``conversion.json`` gives the sketch settings (then it must).
        sketch (str, optional): A sketch method (``xdog``, ``canny``,
            ``hed``); then the record is not read.
        **sketch_options: Its options (see
            :func:`~mmadvseg.datasets.sketch.sketcher_from_options`).

    Returns:
        tuple: The :class:`Sketcher` and where it comes from, in words.

    Raises:
        ValueError: ``dataset`` records no usable sketch.
        TypeError: An unknown sketch option.
    """
    if sketch is not None:
        return (sketcher_from_options(sketch, **sketch_options),
                'the --sketch options')
    roots = [dataset] if dataset else []
    if not roots and config:
        if isinstance(config, str):
            from .torch_backend import load_config
            config = load_config(config)
        for loader in ('test_dataloader', 'train_dataloader'):
            data = (config.get(loader) or {}).get('dataset') or {}
            root = data.get('data_root')
            if root:
                roots = [root, osp.dirname(osp.normpath(root))]
                break
    found, where = recorded_sketcher(roots)
    if found is not None:
        return found, f'the training data\'s sketch settings ({where})'
    if dataset:
        raise ValueError(f'{where}: pass --sketch and its options, or the '
                         'folder a converter wrote (--dataset DIR)')
    return (build_sketcher(**DEFAULT_PHOTO_SKETCH),
            f'the default for photos, XDoG preset xdog_paper ({where})')


__all__ = ['recorded_sketcher', 'photo_sketcher', 'describe_sketcher',
           'DEFAULT_PHOTO_SKETCH']
