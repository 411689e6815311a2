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
- a dropout layer draws its mask from a generator seeded with the caller's
  seed, once per layer and batch, shared by the batch's images
  (:class:`SeededDropout`): each image gets the masks that
  ``torch.manual_seed(seed)`` followed by a forward pass of that image
  alone gives on a CPU. In an ONNX export the masks are inputs.
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


class SeededDropout(nn.Module):
    """Test-time dropout with a mask that is either given (:attr:`mask`,
    1 = keep) or drawn from :attr:`generator`; one mask per batch.

    Args:
        p (float): Drop probability.
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p
        self.generator: Optional[torch.Generator] = None
        self.mask: Optional[Tensor] = None

    def forward(self, x: Tensor) -> Tensor:
        keep = 1.0 - self.p
        if self.mask is not None:
            noise = self.mask.to(x.dtype)
        else:
            if self.generator is None:
                raise RuntimeError('SeededDropout needs a mask or a seeded '
                                   'generator before the forward pass')
            noise = torch.empty((1, ) + x.shape[1:], dtype=x.dtype,
                                device=x.device)
            noise.bernoulli_(keep, generator=self.generator)
        # F.dropout's arithmetic: x * (noise / keep)
        return x * noise.div(keep)


class InferenceGenerator(nn.Module):
    """A copy of a generator with :class:`SampleNorm` for its normalisation
    and :class:`SeededDropout` for its dropout layers.

    ``forward(x, *masks)``: with masks (one per dropout layer, ``(1, C, h,
    w)``, 1 = keep; the ONNX export's inputs) they are used; without, the
    masks are drawn from the generator set by :meth:`seed`.

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
                new = SeededDropout(module.p)
            else:
                continue
            parent, _, attr = name.rpartition('.')
            setattr(self.generator.get_submodule(parent), attr, new)
        self.dropouts: List[SeededDropout] = [
            m for m in self.generator.modules()
            if isinstance(m, SeededDropout)
        ]
        self.eval()

    def seed(self, seed: int) -> None:
        """Draw the next forward pass's masks from ``seed``."""
        device = next(self.parameters()).device
        generator = torch.Generator(device=device)
        generator.manual_seed(seed)
        for layer in self.dropouts:
            layer.generator = generator

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
            self.seed(0)
            self(torch.zeros(1, 3, side, side, device=device))
        finally:
            for hook in hooks:
                hook.remove()
        return [DropoutLayer(s[1], side // s[-1]) for s in shapes]


__all__ = ['SampleNorm', 'SeededDropout', 'InferenceGenerator']
