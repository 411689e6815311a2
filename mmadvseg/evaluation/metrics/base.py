# Copyright (c) mmadvseg contributors. All rights reserved.
"""Shared plumbing of mmadvseg's translation metrics (not registered)."""
from typing import (
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import numpy as np
import torch
import torch.nn as nn
from mmagic.registry import MODELS
from mmengine.evaluator import BaseMetric
from mmengine.model import is_model_wrapper
from torch.utils.data import DataLoader

from ..functional import to_unit_rgb


class TranslationMetric(BaseMetric):
    """Base of metrics comparing generated images with their real
    counterparts, item by item, over the whole validation set.

    Works in both mmagic's ``MultiValLoop`` / ``MultiTestLoop`` (which call
    :meth:`prepare` and :meth:`get_metric_sampler` and then ``evaluate()``
    without a size) and mmengine's plain ``ValLoop``. What reaches
    :meth:`process` are the model's data samples as dicts: for mmagic's
    Pix2Pix / CycleGAN ``val_step``, ``fake_<domain>`` is the generated image
    and ``img_<domain>`` the real one, both (3, H, W) float BGR in [0, 255]
    (de-normalised by the data preprocessor), plus the metainfo such as
    ``img_<domain>_path``.

    Args:
        fake_key (str): Key of the generated image in a data sample, e.g.
            ``'fake_photo'``.
        real_key (str): Key of the real image in a data sample, e.g.
            ``'img_photo'``.
        sample_model (str): If a data sample nests outputs under
            ``'orig'`` / ``'ema'``, which one to read. Defaults to 'orig'.
        channel_order (str): Channel order of the images in the data
            samples. Defaults to 'BGR' (mmagic).
        value_range (Sequence[float]): Value range of the images in the data
            samples. Defaults to (0, 255) (mmagic's de-normalised outputs).
        quantize (bool): Round images to 8-bit levels first, i.e. evaluate
            what would be saved as PNG. Defaults to True.
        device (str, optional): Device for the feature network. None takes the
            model's device (from ``prepare``) or the images' device.
        collect_device (str): Device for collecting results across ranks.
            Defaults to 'cpu'.
        prefix (str, optional): Prefix of the metric names. Defaults to None.
    """

    SAMPLER_MODE = 'normal'

    def __init__(self,
                 fake_key: str,
                 real_key: str,
                 sample_model: str = 'orig',
                 channel_order: str = 'BGR',
                 value_range: Sequence[float] = (0., 255.),
                 quantize: bool = True,
                 device: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if channel_order not in ('BGR', 'RGB'):
            raise ValueError(f'channel_order must be BGR or RGB, got '
                             f'{channel_order!r}')
        if len(value_range) != 2 or value_range[1] <= value_range[0]:
            raise ValueError(f'bad value_range {value_range!r}')
        self.fake_key = fake_key
        self.real_key = real_key
        self.sample_model = sample_model
        self.channel_order = channel_order
        self.value_range = (float(value_range[0]), float(value_range[1]))
        self.quantize = quantize
        self.device: Optional[torch.device] = (
            torch.device(device) if device is not None else None)
        self.size: Optional[int] = None

    # -- mmagic evaluator / loop protocol ---------------------------------
    def prepare(self, module: nn.Module, dataloader: DataLoader) -> None:
        """Called by mmagic's evaluator before the loop.

        Args:
            module (nn.Module): The model to evaluate.
            dataloader (DataLoader): The validation dataloader.
        """
        if is_model_wrapper(module):
            module = module.module
        self.size = len(dataloader.dataset)
        if self.device is None:
            preprocessor = getattr(module, 'data_preprocessor', None)
            device = getattr(preprocessor, 'device', None)
            if device is None:
                param = next(module.parameters(), None)
                device = param.device if param is not None else None
            if device is not None:
                self.device = torch.device(device)

    def get_metric_sampler(self, model: nn.Module, dataloader: DataLoader,
                           metrics: List[BaseMetric]) -> DataLoader:
        """Iterate the validation dataloader itself (every item once).

        Args:
            model (nn.Module): The model to evaluate (unused).
            dataloader (DataLoader): The validation dataloader.
            metrics (list[BaseMetric]): Metrics sharing the sampler (unused).

        Returns:
            DataLoader: ``dataloader``.
        """
        return dataloader

    def evaluate(self, size: Optional[int] = None) -> Dict[str, Any]:
        """Collect the results of all ranks and compute the metrics.

        Args:
            size (int, optional): Dataset length (mmengine's loops pass it;
                mmagic's do not, and the length seen in :meth:`prepare` is
                used).

        Returns:
            dict: The metrics.
        """
        if size is None:
            size = self.size if self.size is not None else len(self.results)
        return super().evaluate(size)

    # -- helpers ----------------------------------------------------------
    def _get_image(self, sample: Dict[str, Any], key: str) -> torch.Tensor:
        """The (3, H, W) image stored under ``key`` in a data sample dict."""
        item = sample
        if self.sample_model in item and isinstance(item[self.sample_model],
                                                    dict):
            item = item[self.sample_model]
        if key not in item and key in sample:
            item = sample
        if key not in item:
            raise KeyError(
                f'{type(self).__name__}: no {key!r} in the data sample; '
                f'available keys: {sorted(item)}. Set fake_key/real_key '
                f'(e.g. fake_photo / img_photo for domain "photo").')
        img = item[key]
        if not isinstance(img, torch.Tensor):
            img = torch.as_tensor(img)
        if img.dim() == 4 and img.shape[0] == 1:
            img = img[0]
        if img.dim() != 3 or img.shape[0] != 3:
            raise ValueError(f'{type(self).__name__}: {key!r} must be a '
                             f'(3, H, W) image, got {tuple(img.shape)}')
        return img

    def _target_device(self, img: torch.Tensor) -> torch.device:
        return self.device if self.device is not None else img.device


class SegmenterMetric(TranslationMetric):
    """Base of metrics that label images with a frozen panoptic segmenter
    (``FrozenPanopticSegmenter``: BGR in [-1, 1] in, ``(probs, binary)``
    out, attributes ``num_classes`` and ``num_things``).

    Args:
        segmenter (dict | nn.Module): Config of the segmenter for mmagic's
            ``MODELS``, built lazily on the evaluation device, or a module.
        fake_key (str): Key of the generated image. Defaults to
            'fake_photo'.
        real_key (str): Key of the real image. Defaults to 'img_photo'.
        batch_size (int): Images per segmenter forward pass. Defaults to 8.
        **kwargs: The other arguments of :class:`TranslationMetric`.
    """

    def __init__(self,
                 segmenter: Union[dict, nn.Module],
                 fake_key: str = 'fake_photo',
                 real_key: str = 'img_photo',
                 batch_size: int = 8,
                 **kwargs) -> None:
        super().__init__(fake_key=fake_key, real_key=real_key, **kwargs)
        if not isinstance(segmenter, (dict, nn.Module)):
            raise TypeError('segmenter must be a config dict or a module, '
                            f'got {type(segmenter).__name__}')
        self.segmenter_cfg = segmenter if isinstance(segmenter, dict) else None
        self.segmenter: Optional[nn.Module] = (
            segmenter if isinstance(segmenter, nn.Module) else None)
        self.batch_size = batch_size

    def _get_segmenter(self, device: torch.device) -> nn.Module:
        """The segmenter on ``device`` (built on first use), in eval mode."""
        if self.segmenter is None:
            self.segmenter = MODELS.build(self.segmenter_cfg)
        self.segmenter.to(device)
        self.segmenter.eval()
        return self.segmenter

    def batches(self,
                data_samples: Sequence[dict],
                paired: bool = False) -> Iterator[tuple]:
        """The segmenter and, batch by batch, the samples with their
        generated and real images, RGB in [0, 1] on the evaluation device,
        under ``torch.inference_mode``.

        Args:
            data_samples (Sequence[dict]): The model's outputs as dicts.
            paired (bool): Require each generated image to have the size of
                its real one. Defaults to False.

        Yields:
            tuple: ``(segmenter, samples, fake, real)``, the images as
            (n, 3, H, W) tensors.
        """
        fakes = [self._get_image(s, self.fake_key) for s in data_samples]
        reals = [self._get_image(s, self.real_key) for s in data_samples]
        for fake, real in zip(fakes, reals):
            if paired and fake.shape != real.shape:
                raise ValueError(
                    f'{type(self).__name__}: {self.fake_key} '
                    f'{tuple(fake.shape)} and {self.real_key} '
                    f'{tuple(real.shape)} differ in size; the metric needs '
                    'paired images.')
        device = self._target_device(fakes[0])
        segmenter = self._get_segmenter(device)
        with torch.inference_mode():
            for start in range(0, len(fakes), self.batch_size):
                stop = start + self.batch_size
                fake, real = (to_unit_rgb(
                    torch.stack(images[start:stop]).to(device),
                    self.channel_order, self.value_range, self.quantize)
                              for images in (fakes, reals))
                yield segmenter, data_samples[start:stop], fake, real


def segment_labels(segmenter: nn.Module,
                   rgb01: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Argmax class labels and thing(0)/stuff(1) labels, (N, H, W) each, of
    RGB images in [0, 1] by a segmenter that takes BGR in [-1, 1]."""
    probs, binary = segmenter(rgb01.flip(1) * 2 - 1)[:2]
    return probs.argmax(1), binary.argmax(1)


def sparse_confusion(target: torch.Tensor,
                     pred: torch.Tensor,
                     num_classes: int,
                     ignore_index: Optional[int] = None
                     ) -> Tuple[np.ndarray, np.ndarray]:
    """One image's confusion counts ``cm[target, pred]``, kept sparse.

    A whole validation set's dense matrices per image would cost
    ``C x C`` integers each (133 classes: 140 kB); an image has few
    (target, pred) pairs.

    Args:
        target (Tensor): Reference labels, any shape.
        pred (Tensor): Predicted labels, same shape, in [0, C).
        num_classes (int): Number of classes C.
        ignore_index (int, optional): Reference label of pixels to leave
            out. Defaults to None.

    Returns:
        tuple[np.ndarray, np.ndarray]: Indices into the flattened (C, C)
        matrix and their counts (int64).
    """
    target, pred = target.reshape(-1).long(), pred.reshape(-1).long()
    if ignore_index is not None:
        keep = target != ignore_index
        target, pred = target[keep], pred[keep]
    flat = (target * num_classes + pred).cpu()
    idx, counts = torch.unique(flat, return_counts=True)
    return idx.numpy(), counts.numpy()


def sum_confusion(entries: Iterable[Tuple[np.ndarray, np.ndarray]],
                  num_classes: int) -> np.ndarray:
    """Sum sparse confusion counts (:func:`sparse_confusion`).

    Args:
        entries (Iterable[tuple]): ``(indices, counts)`` per image.
        num_classes (int): Number of classes C.

    Returns:
        np.ndarray: (C, C) int64 confusion matrix, rows = reference.
    """
    cm = np.zeros(num_classes * num_classes, dtype=np.int64)
    for idx, counts in entries:
        np.add.at(cm, idx, counts)
    return cm.reshape(num_classes, num_classes)
