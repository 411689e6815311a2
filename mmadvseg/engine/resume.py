# Copyright (c) mmadvseg contributors. All rights reserved.
"""What a checkpoint must hold, beyond mmengine's, for ``--resume`` to
continue the very run it was saved from, and the checks that refuse a
checkpoint that cannot.

mmengine saves the weights, the optimizers, the LR schedule and the
iteration. Not saved are the random generators (Python, numpy, torch, CUDA)
and the history buffers of generated images (mmagic's ``GANImageBuffer``),
so a resumed run draws other crops, flips, dropout masks and buffer picks
than the run it continues. :func:`capture_run_state` takes them (all
ranks), :func:`restore_buffers` and :func:`restore_rng` put them back. The
data order needs nothing more: mmengine replays the batches of the
interrupted epoch, and the generators are restored after that replay (see
:class:`~mmadvseg.engine.hooks.AtomicCheckpointHook`).
"""
import hashlib
import os
import os.path as osp
import random
from typing import Any, Dict, List, Optional

import numpy as np
import torch

from ..utils.fileio import remove_stale_partials

#: Checkpoint key of the state saved here.
STATE_KEY = 'run_state'
LAST_CHECKPOINT = 'last_checkpoint'
#: Keys listed in a layout mismatch message.
MAX_LISTED = 3


class ResumeError(RuntimeError):
    """A checkpoint that cannot continue this run; the message says why and
    what to do."""


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    """The model inside a DDP-style wrapper (the model itself otherwise)."""
    from mmengine.model import is_model_wrapper
    return model.module if is_model_wrapper(model) else model


def rng_state() -> Dict[str, Any]:
    """The state of every random generator a training step draws from.

    Returns:
        dict: ``python``, ``numpy``, ``torch`` and, once CUDA is in use,
        ``cuda`` (one state per device).
    """
    state = dict(
        python=random.getstate(),
        numpy=np.random.get_state(),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: Dict[str, Any]) -> List[str]:
    """Put back the generators saved by :func:`rng_state`.

    Args:
        state (dict): Output of :func:`rng_state`.

    Returns:
        list[str]: What could not be restored (CUDA states of another
        number of devices), for a warning.
    """
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'].cpu())
    missed = []
    cuda = state.get('cuda')
    if cuda is not None:
        if torch.cuda.is_available() and \
                torch.cuda.device_count() == len(cuda):
            torch.cuda.set_rng_state_all([s.cpu() for s in cuda])
        else:
            missed.append(f'the CUDA generators ({len(cuda)} devices saved)')
    return missed


def seed_everything(*keys: int) -> None:
    """Seed Python, numpy and torch (every device) from a tuple of
    integers, e.g. ``(seed, iteration, batch)``.

    Args:
        *keys (int): What the numbers depend on.
    """
    digest = hashlib.sha256(repr(keys).encode()).digest()
    seed = int.from_bytes(digest[:4], 'little')
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def image_buffers(model: torch.nn.Module) -> Dict[str, Any]:
    """The image history buffers of a model, by name.

    mmagic's CycleGAN and the segmentation discriminators keep generated
    images in ``GANImageBuffer`` objects (plain attributes, or dicts of
    them), outside the model's ``state_dict``.

    Args:
        model (torch.nn.Module): The model (not its DDP wrapper).

    Returns:
        dict: ``{'<module>.<attribute>[.<key>]': buffer}``.
    """
    from mmagic.models.editors.cyclegan import cyclegan_modules
    kind = cyclegan_modules.GANImageBuffer
    found = {}
    for prefix, module in model.named_modules():
        for attr, value in vars(module).items():
            items = value.items() if isinstance(value, dict) else [(None,
                                                                    value)]
            for key, item in items:
                if isinstance(item, kind) and item.buffer_size > 0:
                    name = '.'.join(p for p in (prefix, attr, key) if p)
                    found[name] = item
    return found


def capture_run_state(model: torch.nn.Module,
                      max_buffer_bytes: Optional[int] = None
                      ) -> Dict[str, Any]:
    """The random generators and image buffers of this process.

    Args:
        model (torch.nn.Module): The model (not its DDP wrapper).
        max_buffer_bytes (int, optional): Leave the buffers out when they
            hold more (e.g. 50 maps of 133 classes at 256 x 256 are 1.7 GB).
            Defaults to None: no limit.

    Returns:
        dict: ``rng`` and ``buffers`` (images on the CPU; None when left
        out).
    """
    found = image_buffers(model)
    size = sum(img.numel() * img.element_size() for buf in found.values()
               for img in buf.image_buffer)
    buffers = None
    if max_buffer_bytes is None or size <= max_buffer_bytes:
        buffers = {
            name: dict(
                img_num=buf.img_num,
                images=[img.detach().cpu() for img in buf.image_buffer])
            for name, buf in found.items()
        }
    return dict(rng=rng_state(), buffers=buffers)


def restore_buffers(model: torch.nn.Module, saved: Dict[str, Any]) -> None:
    """Refill the image buffers saved by :func:`capture_run_state`.

    Args:
        model (torch.nn.Module): The model (not its DDP wrapper).
        saved (dict): The ``buffers`` of :func:`capture_run_state`.
    """
    device = next(model.parameters()).device
    for name, buf in image_buffers(model).items():
        if name in saved:
            buf.img_num = saved[name]['img_num']
            buf.image_buffer = [
                img.to(device) for img in saved[name]['images']
            ]


def require_optimizer_state(checkpoint: dict, path: str) -> None:
    """Refuse a checkpoint without optimizer state for a resume.

    Args:
        checkpoint (dict): The loaded checkpoint.
        path (str): The checkpoint file, for the message.

    Raises:
        ResumeError: It was saved with ``save_optimizer=False``.
    """
    if 'optimizer' not in checkpoint:
        raise ResumeError(
            f'{path} has no optimizer state (it was saved with '
            'save_optimizer=False), so a resumed run would restart both '
            'optimizers from scratch. Resume from a checkpoint saved with '
            'save_optimizer=True, or start from its weights without '
            f'--resume: --cfg-options load_from={path}')


def layout_mismatch(checkpoint: dict, model: torch.nn.Module) -> str:
    """How the weights of a checkpoint differ from a model's.

    Args:
        checkpoint (dict): The loaded checkpoint.
        model (torch.nn.Module): The model (not its DDP wrapper).

    Returns:
        str: E.g. ``'missing discriminators.advseg_binary.model.0'``; empty
        when every weight matches in name and shape.
    """
    saved = {
        k[len('module.'):] if k.startswith('module.') else k: v
        for k, v in checkpoint.get('state_dict', {}).items()
    }
    own = model.state_dict()
    missing = sorted(set(own) - set(saved))
    extra = sorted(set(saved) - set(own))
    shapes = sorted(k for k in set(own) & set(saved)
                    if tuple(own[k].shape) != tuple(saved[k].shape))
    return '; '.join(
        f'{what} {_listed(keys)}'
        for what, keys in (('missing', missing), ('unexpected', extra),
                           ('of other shapes', shapes)) if keys)


def check_resumable(checkpoint: dict, model: torch.nn.Module,
                    path: str) -> None:
    """Refuse a checkpoint that cannot continue a run of ``model``.

    Args:
        checkpoint (dict): The loaded checkpoint.
        model (torch.nn.Module): The model of the run (not its DDP
            wrapper).
        path (str): The checkpoint file, for the message.

    Raises:
        ResumeError: It has no optimizer state, or weights of another
            model layout (e.g. a baseline checkpoint for an AdvSegLoss
            config).
    """
    require_optimizer_state(checkpoint, path)
    problems = layout_mismatch(checkpoint, model)
    if problems:
        raise ResumeError(
            f'{path} holds another model layout than this config (weights '
            f'{problems}): resume only with the config that wrote it; to '
            'start a new run from its weights, drop --resume and use '
            f'--cfg-options load_from={path}')


def _listed(keys: List[str]) -> str:
    """Short list of state-dict keys, grouped by module."""
    modules = sorted({k.rsplit('.', 1)[0] for k in keys})
    text = ', '.join(modules[:MAX_LISTED])
    if len(modules) > MAX_LISTED:
        text += f' and {len(modules) - MAX_LISTED} more modules'
    return text


def resume_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` continues from: the one
    ``<work_dir>/last_checkpoint`` names.

    The file holds a path relative to the work dir, so a copied or moved
    work dir resumes from its own checkpoint. An absolute path (written by
    earlier versions) is used only if it lies in ``work_dir``; otherwise the
    checkpoint of that name in ``work_dir`` is taken.

    Args:
        work_dir (str): The work dir.

    Returns:
        str | None: The checkpoint path; None without ``last_checkpoint``.

    Raises:
        ResumeError: ``last_checkpoint`` names a checkpoint that is not in
            the work dir.
    """
    pointer = osp.join(work_dir, LAST_CHECKPOINT)
    if not osp.isfile(pointer):
        return None
    with open(pointer, encoding='utf-8') as f:
        name = f.read().strip()
    if osp.isabs(name) and osp.dirname(osp.realpath(name)) != osp.realpath(
            work_dir):
        name = osp.basename(name)  # written before a move or copy
    path = name if osp.isabs(name) else osp.join(work_dir, name)
    if not osp.isfile(path):
        raise ResumeError(
            f'{pointer} names {name}, which is not in {work_dir}; give the '
            'checkpoint to continue from: --resume PATH')
    return path


def clean_work_dir(work_dir: str) -> List[str]:
    """Remove what interrupted runs left in a work dir: checkpoints and
    pointers being written when the process died (``*.partial`` of dead
    processes, ``*.pth.tmp`` and ``last_checkpoint.tmp`` of earlier
    versions). Call it while holding the work dir's lock.

    Args:
        work_dir (str): The work dir.

    Returns:
        list[str]: The removed files.
    """
    removed = remove_stale_partials(work_dir)
    if osp.isdir(work_dir):
        for name in sorted(os.listdir(work_dir)):
            if name.endswith('.pth.tmp') or name == LAST_CHECKPOINT + '.tmp':
                os.remove(osp.join(work_dir, name))
                removed.append(osp.join(work_dir, name))
    return removed


__all__ = [
    'STATE_KEY', 'ResumeError', 'unwrap', 'rng_state', 'restore_rng',
    'seed_everything',
    'image_buffers', 'capture_run_state', 'restore_buffers',
    'require_optimizer_state', 'layout_mismatch', 'check_resumable',
    'resume_checkpoint', 'clean_work_dir'
]
