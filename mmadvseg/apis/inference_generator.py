# Copyright (c) mmadvseg contributors. All rights reserved.
"""A generator in its test-time form, image by image, batched.

mmagic's Pix2Pix and CycleGAN test in training mode (``forward_test``
calls ``train()``, as the original pix2pix test script does): the
normalisation layers use the statistics of the batch and dropout stays on.
With ``tools/test.py``'s batches an image's colours then depend on the
other images of its batch. Here every image is translated as if alone (the
original pix2pix tests with batch size 1), whatever the batch size:

- a normalisation layer normalises each image with its own statistics
  (:class:`SampleNorm`: batch norm in training mode on a batch of one);
- a dropout layer multiplies by a given keep mask, one per layer and
  batch, shared by the batch's images (:class:`MaskedDropout`). The
  backends draw the masks of a seed with numpy
  (:func:`~.dropout_masks.draw_masks`), so a seed gives the same colours on
  every device and on onnxruntime; in an ONNX export the masks are
  optional inputs. Without masks every activation is its expected value
  (dropout off), as the ONNX file gives for the sketch alone.

With the masks that mmagic's ``forward_test`` draws for an image, the
output is that of ``forward_test`` (tested).
"""
import copy
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.instancenorm import _InstanceNorm

from .spec import DropoutLayer


class SampleNorm(nn.Module):
    """Normalise each image with its own per-channel statistics, then apply
    the affine parameters of the layer it replaces.

    Args:
        norm (nn.Module): A batch or instance norm layer.
    """

    def __init__(self, norm: nn.Module) -> None:
        super().__init__()
        self.eps = norm.eps
        self.weight = norm.weight
        self.bias = norm.bias

    def forward(self, x: Tensor) -> Tensor:
        return F.instance_norm(
            x, weight=self.weight, bias=self.bias, eps=self.eps)


class MaskedDropout(nn.Module):
    """Test-time dropout with a given mask (:attr:`mask`, ``(1, C, h, w)``
    or broadcastable, 1 = keep), scaled as ``F.dropout`` scales; without a
    mask the identity (the expectation over the masks).

    Args:
        p (float): Drop probability.
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p
        self.mask: Optional[Tensor] = None

    def forward(self, x: Tensor) -> Tensor:
        if self.mask is None:
            return x
        # F.dropout's arithmetic: x * (noise / keep)
        return x * self.mask.to(x.dtype).div(1.0 - self.p)


class InferenceGenerator(nn.Module):
    """A copy of a generator with :class:`SampleNorm` for its normalisation
    and :class:`MaskedDropout` for its dropout layers.

    ``forward(x, *masks)``: with masks (one per dropout layer, ``(1, C, h,
    w)``, 1 = keep; the ONNX export's inputs) they are used; without,
    dropout is off (each activation at its expected value).

    Args:
        generator (nn.Module): The trained generator (left unchanged).
    """

    def __init__(self, generator: nn.Module) -> None:
        super().__init__()
        self.generator = copy.deepcopy(generator)
        for name, module in list(self.generator.named_modules()):
            if isinstance(module, (_BatchNorm, _InstanceNorm)):
                new: nn.Module = SampleNorm(module)
            elif isinstance(module, nn.Dropout) and module.p > 0:
                new = MaskedDropout(module.p)
            else:
                continue
            parent, _, attr = name.rpartition('.')
            setattr(self.generator.get_submodule(parent), attr, new)
        self.dropouts: List[MaskedDropout] = [
            m for m in self.generator.modules()
            if isinstance(m, MaskedDropout)
        ]
        self.eval()

    def forward(self, x: Tensor, *masks: Tensor) -> Tensor:
        if masks and len(masks) != len(self.dropouts):
            raise ValueError(f'{len(self.dropouts)} dropout masks needed, '
                             f'got {len(masks)}')
        for layer, mask in zip(self.dropouts, masks):
            layer.mask = mask
        try:
            return self.generator(x)
        finally:
            for layer in self.dropouts:
                layer.mask = None

    def size_multiple(self) -> int:
        """The product of the strides of the down-sampling convolutions."""
        multiple = 1
        for module in self.generator.modules():
            if isinstance(module, nn.Conv2d):
                multiple *= module.stride[0]
        return multiple

    @torch.no_grad()
    def dropout_layers(self) -> List[DropoutLayer]:
        """Channels and stride of the feature map of every dropout layer
        (found by one forward pass at twice the size multiple)."""
        side = 2 * self.size_multiple()
        shapes = []
        hooks = [
            layer.register_forward_pre_hook(
                lambda _, args: shapes.append(args[0].shape))
            for layer in self.dropouts
        ]
        device = next(self.parameters()).device
        try:
            self(torch.zeros(1, 3, side, side, device=device))
        finally:
            for hook in hooks:
                hook.remove()
        return [DropoutLayer(s[1], side // s[-1]) for s in shapes]


__all__ = ['SampleNorm', 'MaskedDropout', 'InferenceGenerator']
