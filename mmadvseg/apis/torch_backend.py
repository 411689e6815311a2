# Copyright (c) mmadvseg contributors. All rights reserved.
"""The sketch -> photo generator of a config and checkpoint, on PyTorch.

Only the generator is built (no discriminators, no segmenter: colorizing
needs no Mask2Former weights) and only its weights are read from the
checkpoint. Every problem with the config or the checkpoint is a
:class:`~.spec.ModelFileError` naming the file and the fix, raised before
any image is read.
"""
import os.path as osp
import warnings
from typing import Any, Dict, Optional, Tuple

import numpy as np
import torch

from .dropout_masks import draw_masks
from .inference_generator import InferenceGenerator
from .spec import GeneratorSpec, ModelFileError


def load_config(config: str) -> Any:
    """Read a training config, registering mmadvseg's components.

    Args:
        config (str): Config file.

    Returns:
        mmengine.config.Config: The config.

    Raises:
        ModelFileError: Missing or unreadable file, or not a translation
            model's config.
    """
    from ..utils.config import ConfigError, read_config
    try:
        cfg = read_config(config)
    except (ConfigError, FileNotFoundError) as err:
        raise ModelFileError(str(err)) from None
    model = cfg.get('model') or {}
    if not model.get('generator') or not model.get('default_domain'):
        raise ModelFileError(
            f'{config}: not a config of a translation model (its model has '
            'no generator or default_domain); pass a configs/advseg, '
            'configs/baselines or configs/toy config')
    return cfg


def read_checkpoint(checkpoint: str) -> Dict[str, Any]:
    """The state dict of a checkpoint file.

    Args:
        checkpoint (str): ``.pth`` file written by ``tools/train.py``.

    Returns:
        dict: Parameter name -> tensor.

    Raises:
        ModelFileError: Missing, corrupt, or not a PyTorch checkpoint.
    """
    if not osp.isfile(checkpoint):
        raise ModelFileError(f'{checkpoint}: checkpoint not found; check '
                             'the path (or pass a training work dir)')
    try:
        ckpt = torch.load(checkpoint, map_location='cpu')
    except Exception as err:  # noqa: BLE001  (pickle, zip, EOF errors ...)
        raise ModelFileError(
            f'{checkpoint}: cannot read the checkpoint ({type(err).__name__}:'
            f' {err}); the file is corrupt or not a PyTorch checkpoint: copy '
            'it again or use one written by tools/train.py') from None
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ModelFileError(f'{checkpoint}: not a model checkpoint (no '
                             'state dict); use a .pth written by '
                             'tools/train.py')
    return state


def _generator_state(state: Dict[str, Any], domain: str, checkpoint: str,
                     config: str) -> Dict[str, Any]:
    """The weights of the generator translating into ``domain``."""
    for prefix in (f'generators.{domain}.', f'module.generators.{domain}.'):
        weights = {
            k[len(prefix):]: v
            for k, v in state.items() if k.startswith(prefix)
        }
        if weights:
            return weights
    sample = ', '.join(sorted(state)[:3]) or 'none'
    raise ModelFileError(
        f'{checkpoint}: holds no generator for the {domain!r} domain '
        f'(its keys start like: {sample}); it is not a checkpoint of '
        f'{config}: pass the checkpoint tools/train.py wrote for this config')


def load_generator(config: str, checkpoint: str,
                   device: str = 'cpu') -> Tuple[InferenceGenerator,
                                                 GeneratorSpec]:
    """Build the sketch -> photo generator of ``config`` with the weights
    of ``checkpoint``, in its test-time form.

    Args:
        config (str): Training config.
        checkpoint (str): Checkpoint of that config.
        device (str): ``'cpu'``, ``'cuda'``, ``'cuda:1'`` ...

    Returns:
        tuple: The :class:`InferenceGenerator` on ``device`` and its
        :class:`GeneratorSpec`.

    Raises:
        ModelFileError: The config or checkpoint cannot be used.
        ValueError: An unavailable device.
    """
    device = check_device(device)
    cfg = load_config(config)
    state = read_checkpoint(checkpoint)
    from mmagic.registry import MODELS
    from mmengine.registry import DefaultScope

    model_cfg = cfg.model
    domain = model_cfg.default_domain
    with DefaultScope.overwrite_default_scope('mmagic'), \
            warnings.catch_warnings():  # mmcv's note on the configs' convs
        warnings.filterwarnings('ignore', 'Unnecessary conv bias')
        generator = MODELS.build(model_cfg.generator)
    weights = _generator_state(state, domain, checkpoint, config)
    try:
        generator.load_state_dict(weights, strict=True)
    except RuntimeError as err:
        first = str(err).strip().splitlines()
        raise ModelFileError(
            f'{checkpoint}: its generator does not match the one of '
            f'{config} ({model_cfg.generator.get("type")}): pass the config '
            f'the checkpoint was trained with. ({" ".join(first[:2])})'
        ) from None
    net = InferenceGenerator(generator).to(device)
    preprocess = model_cfg.get('data_preprocessor') or {}
    mean, std = (_per_channel(preprocess.get(key, 127.5))
                 for key in ('mean', 'std'))
    dropouts = net.dropouts
    spec = GeneratorSpec(
        mean=mean,
        std=std,
        rgb=preprocess.get('output_channel_order') == 'RGB',
        size_multiple=net.size_multiple(),
        dropout_p=dropouts[0].p if dropouts else 0.0,
        dropout_layers=tuple(net.dropout_layers()),
        description=_describe(model_cfg.generator))
    return net, spec


def _per_channel(value: Any) -> Tuple[float, ...]:
    values = tuple(float(v) for v in (
        value if isinstance(value, (list, tuple)) else [value]))
    return values * 3 if len(values) == 1 else values


def _describe(gen_cfg: Any) -> str:
    parts = [str(gen_cfg.get('type'))]
    for key in ('base_channels', 'num_blocks'):
        if key in gen_cfg:
            parts.append(f'{key}={gen_cfg[key]}')
    if 'norm_cfg' in gen_cfg:
        parts.append(f'norm={gen_cfg.norm_cfg.get("type")}')
    return ' '.join(parts)


def check_device(device: str) -> str:
    """Check that ``device`` exists here.

    Args:
        device (str): ``'cpu'``, ``'cuda'`` or ``'cuda:N'``.

    Returns:
        str: ``device``.

    Raises:
        ValueError: Not a device name, or no such CUDA device.
    """
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(f'unknown device {device!r}: use cpu, cuda or '
                         'cuda:N') from None
    if dev.type == 'cuda':
        count = torch.cuda.device_count()
        if (dev.index or 0) >= count:
            raise ValueError(f'device {device!r} is not available ('
                             f'{count} CUDA devices here): use --device cpu')
    elif dev.type != 'cpu':
        raise ValueError(f'unsupported device {device!r}: use cpu, cuda or '
                         'cuda:N')
    return device


#: ``precision`` -> the autocast dtype (None: float32 throughout).
PRECISIONS = {'fp32': None, 'bf16': torch.bfloat16}


def bf16_is_native(device: str) -> bool:
    """Whether ``device`` runs bfloat16 convolutions at speed: a GPU, or a
    CPU with AVX-512 (oneDNN's test). Elsewhere oneDNN emulates them: on
    an AVX2-only CPU a 3x3 256-channel convolution took 175x as long as in
    fp32 (docs/benchmarks.md)."""
    if torch.device(device).type != 'cpu':
        return True
    supported = getattr(torch.ops.mkldnn, '_is_mkldnn_bf16_supported', None)
    return supported is None or bool(supported())


class TorchBackend:
    """Runs a :class:`InferenceGenerator` on numpy batches.

    Args:
        config (str): Training config.
        checkpoint (str): Its checkpoint.
        device (str): Device. Defaults to ``'cpu'``.
        precision (str): ``'fp32'`` (exact) or ``'bf16'``: convolutions in
            bfloat16 under ``torch.autocast``, several times faster on
            CPUs with AMX or AVX-512 BF16 and on recent GPUs, colours
            slightly different. Defaults to ``'fp32'``.
    """

    def __init__(self, config: str, checkpoint: str,
                 device: str = 'cpu', precision: str = 'fp32') -> None:
        if precision not in PRECISIONS:
            raise ValueError(f'unknown precision {precision!r}: use '
                             f'{" or ".join(PRECISIONS)}')
        self.net, self.spec = load_generator(config, checkpoint, device)
        self.device = torch.device(device)
        self.dtype = PRECISIONS[precision]
        #: A line for the user when the precision is slow here, else None.
        self.note: Optional[str] = None
        if precision == 'bf16' and not bf16_is_native(device):
            self.note = ('bf16 is emulated on this CPU (no AVX-512 or AMX): '
                         'far slower than fp32 (--precision fp32)')

    @torch.inference_mode()
    def __call__(self, batch: np.ndarray, seed: int) -> np.ndarray:
        """Translate a normalised ``(N, 3, H, W)`` float32 batch with the
        dropout masks of ``seed`` (the onnxruntime backend's, see
        :func:`~.dropout_masks.draw_masks`)."""
        masks = [torch.from_numpy(mask).to(self.device)
                 for mask in draw_masks(self.spec, *batch.shape[2:], seed)]
        with torch.autocast(self.device.type, dtype=self.dtype,
                            enabled=self.dtype is not None):
            out = self.net(torch.from_numpy(batch).to(self.device), *masks)
        return out.float().cpu().numpy()


__all__ = ['TorchBackend', 'PRECISIONS', 'bf16_is_native', 'load_generator',
           'load_config', 'read_checkpoint', 'check_device']
