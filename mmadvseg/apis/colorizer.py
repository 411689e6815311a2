# Copyright (c) mmadvseg contributors. All rights reserved.
"""The colorizer: a trained sketch -> photo generator applied to plain
sketches of any size.

>>> from mmadvseg.apis import Colorizer
>>> colorizer = Colorizer('work_dirs/demo/runs_distinct/pix2pix_both_seed0')
>>> photo = colorizer('sketch.png', seed=0)        # HxWx3 uint8 BGR

A model is a training work dir (its saved config and last checkpoint), a
config with a checkpoint, or an ONNX file exported by
``tools/deployment/export_onnx.py`` (then onnxruntime runs it and neither
torch nor OpenMMLab is imported).

Each image is translated as if alone (see :mod:`.test_time`): padded by
reflection to the generator's size multiple, translated, cropped back to
exactly its size. Images of the same padded size are batched. Pix2Pix keeps
dropout on at test time (as mmagic and the original pix2pix do), so its
colours are random by design: the same ``seed`` gives the same colours.
"""
import glob
import os
import os.path as osp
import secrets
from typing import (
    Any,
    Dict,
    Hashable,
    Iterable,
    Iterator,
    List,
    Optional,
    Tuple,
)

import numpy as np

from .inputs import ImageSource, collect_images, load_image, resize_longer
from .spec import GeneratorSpec, ModelFileError


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


def _is_dir(source: Any) -> bool:
    return isinstance(source, (str, os.PathLike)) and osp.isdir(source)


def resolve_seed(seed: Optional[int]) -> int:
    """``seed``, or a fresh random one when it is None."""
    return secrets.randbelow(2**31) if seed is None else int(seed)


class Colorizer:
    """A trained generator that colorizes sketches.

    Args:
        model (str): A training work dir, a config (with ``checkpoint``) or
            an exported ``.onnx`` file.
        checkpoint (str, optional): Checkpoint of a config.
        device (str): ``'cpu'``, ``'cuda'``, ``'cuda:1'`` ... Defaults to
            ``'cpu'``.
        precision (str): ``'fp32'`` or ``'bf16'`` (PyTorch models only;
            see :class:`~.torch_backend.TorchBackend`). Defaults to
            ``'fp32'``.

    Raises:
        ModelFileError: The model cannot be used (before any image is
            read).
    """

    def __init__(self,
                 model: str,
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 precision: str = 'fp32') -> None:
        self.config, self.checkpoint = resolve_model(model, checkpoint)
        self.device = device
        if self.config:
            from .torch_backend import TorchBackend
            self.backend: Any = TorchBackend(self.config, self.checkpoint,
                                             device, precision)
        elif precision != 'fp32':
            raise ValueError(f'precision {precision!r} is for PyTorch '
                             'models; an ONNX model runs in fp32')
        else:
            from .onnx_backend import OnnxBackend
            self.backend = OnnxBackend(self.checkpoint, device)
        self.spec: GeneratorSpec = self.backend.spec

    @property
    def stochastic(self) -> bool:
        """Whether the colours depend on the seed (test-time dropout)."""
        return self.spec.stochastic

    def run(self,
            items: Iterable[Tuple[Hashable, np.ndarray]],
            seed: int,
            batch_size: int = 1) -> Iterator[Tuple[Hashable, np.ndarray]]:
        """Colorize a stream of images, batching those of the same padded
        size; results come as their batches complete (not in order).

        Args:
            items (Iterable[tuple]): ``(key, HxWx3 uint8 BGR sketch)``.
            seed (int): Dropout seed (see the module docstring).
            batch_size (int): Images per forward pass. Defaults to 1.

        Yields:
            tuple: ``(key, HxWx3 uint8 BGR colorization)``, same size as
            the sketch.
        """
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        buckets: Dict[Tuple[int, int], List[Tuple[Hashable,
                                                  np.ndarray]]] = {}
        for key, img in items:
            shape = self.spec.padded_shape(*img.shape[:2])
            bucket = buckets.setdefault(shape, [])
            bucket.append((key, img))
            if len(bucket) == batch_size:
                yield from self._run_batch(buckets.pop(shape), seed)
        for bucket in buckets.values():
            yield from self._run_batch(bucket, seed)

    def _run_batch(self, bucket: List[Tuple[Hashable, np.ndarray]],
                   seed: int) -> Iterator[Tuple[Hashable, np.ndarray]]:
        keys, images = zip(*bucket)
        outputs = self.backend(self.spec.to_input(images), seed)
        sizes = [img.shape[:2] for img in images]
        yield from zip(keys, self.spec.to_images(outputs, sizes))

    def __call__(self,
                 images: Any,
                 seed: Optional[int] = None,
                 size: Optional[int] = None,
                 batch_size: int = 1) -> Any:
        """Colorize one image or a list of images.

        Args:
            images (ImageSource | list): An image file, a folder (all its
                images, sorted), a numpy array (OpenCV channel order) or a
                PIL image, or a list of them.
            seed (int, optional): Dropout seed; None draws a random one.
            size (int, optional): Resize each sketch so that its longer
                side is ``size`` (aspect ratio kept); None keeps its size.
            batch_size (int): Images per forward pass. Defaults to 1.

        Returns:
            np.ndarray | list[np.ndarray]: ``HxWx3`` uint8 BGR
            colorizations (a list for a list or a folder).

        Raises:
            ImageReadError: An input is not a usable image.
        """
        many = isinstance(images, (list, tuple)) or _is_dir(images)
        sources: List[ImageSource] = []
        for src in images if isinstance(images, (list, tuple)) else [images]:
            if _is_dir(src):
                sources += [path for path, _ in collect_images([src])]
            else:
                sources.append(src)
        loaded = [(i, resize_longer(load_image(src, f'image {i}'), size))
                  for i, src in enumerate(sources)]
        results = dict(self.run(loaded, resolve_seed(seed), batch_size))
        outputs = [results[i] for i in range(len(sources))]
        return outputs if many else outputs[0]


__all__ = ['Colorizer', 'resolve_model', 'resolve_seed']
