# Copyright (c) mmadvseg contributors. All rights reserved.
"""The model arguments of the colorizer and its tools: a training work dir
(its saved config and last checkpoint), a config with its checkpoint, or an
exported ``.onnx`` file. Every unusable combination is one
:class:`~.spec.ModelFileError` naming the file and the fix.
"""
import glob
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .spec import ModelFileError


def split_model_args(values: Sequence[str]
                     ) -> Tuple[Dict[str, Optional[str]], List[str]]:
    """``MODEL [CHECKPOINT] INPUT [INPUT ...]``: a config (``.py``) takes
    the next value as its checkpoint; a work dir or ``.onnx`` file does
    not.

    Args:
        values (Sequence[str]): The positional arguments.

    Returns:
        tuple: ``(dict(model=..., checkpoint=... or None), inputs)``: the
        model arguments of :class:`~.colorizer.Colorizer` and the rest.

    Raises:
        ValueError: No input (or no checkpoint after a config).
    """
    model, rest = values[0], list(values[1:])
    checkpoint = None
    if model.endswith('.py'):
        if not rest:
            raise ValueError(f'{model} needs its checkpoint: CONFIG '
                             'CHECKPOINT INPUT [INPUT ...]')
        checkpoint = rest.pop(0)
    if not rest:
        raise ValueError('no INPUT: give image files or folders after the '
                         'model')
    return dict(model=model, checkpoint=checkpoint), rest


def resolve_model(model: str,
                  checkpoint: Optional[str] = None) -> Tuple[str, str]:
    """The config and checkpoint of a model argument.

    Args:
        model (str): A training work dir, a config file (then
            ``checkpoint`` is needed) or an ``.onnx`` file.
        checkpoint (str, optional): Checkpoint of a config.

    Returns:
        tuple[str, str]: ``(config, checkpoint)``, or ``('', onnx_file)``.

    Raises:
        ModelFileError: The arguments do not name a usable model.
    """
    model = os.fspath(model)
    if model.endswith('.onnx'):
        if checkpoint:
            raise ModelFileError(f'{model}: an ONNX model takes no '
                                 f'checkpoint; drop {checkpoint}')
        return '', model
    if osp.isdir(model):
        if checkpoint:
            raise ModelFileError(f'{model}: a work dir takes no checkpoint '
                                 f'(its last one is used); drop {checkpoint}'
                                 ' or pass CONFIG CHECKPOINT')
        return _from_work_dir(model)
    if not model.endswith('.py'):
        raise ModelFileError(
            f'{model}: not a model; pass a training work dir, a config .py '
            'with its checkpoint, or an exported .onnx file')
    if not checkpoint:
        raise ModelFileError(f'{model}: a config needs its checkpoint '
                             '(CONFIG CHECKPOINT)')
    return model, checkpoint


def _from_work_dir(work_dir: str) -> Tuple[str, str]:
    """The config the runner saved in ``work_dir`` and its last
    checkpoint."""
    configs = sorted(glob.glob(osp.join(work_dir, '*.py')))
    marker = osp.join(work_dir, 'last_checkpoint')
    if len(configs) != 1 or not osp.isfile(marker):
        found = (f'configs: {", ".join(map(osp.basename, configs))}'
                 if configs else 'no config')
        raise ModelFileError(
            f'{work_dir}: not a training work dir with one config and a '
            f'last_checkpoint ({found}); pass CONFIG CHECKPOINT instead (to '
            'colorize a folder, put the model first)')
    from ..engine.resume import resume_checkpoint  # as --resume reads it
    try:
        checkpoint = resume_checkpoint(work_dir)
    except RuntimeError as err:
        raise ModelFileError(str(err)) from None
    return configs[0], checkpoint


def working_size(cfg: Any) -> Optional[int]:
    """The scale a model works at: the longer side of its test pipeline's
    ``Resize`` (the size it was evaluated at), else of its training crop
    (a config without test data), or None.

    Args:
        cfg (Config, optional): A training config.

    Returns:
        int | None: The side in pixels.
    """
    for loader, step_type, key in (('test_dataloader', 'Resize', 'scale'),
                                   ('train_dataloader', 'FixedCrop',
                                    'crop_size')):
        dataset = ((cfg or {}).get(loader) or {}).get('dataset') or {}
        for step in dataset.get('pipeline') or []:
            if step.get('type') == step_type and step.get(key):
                side = step[key]
                return int(max(side) if isinstance(side, (list, tuple))
                           else side)
    return None


__all__ = ['resolve_model', 'split_model_args', 'working_size']
