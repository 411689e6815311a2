# Copyright (c) mmadvseg contributors. All rights reserved.
"""Fixes for mmagic's translation models, gated on the mmagic version.

mmagic 1.2.0 (the last release) has two bugs that block stock training and
testing of Pix2Pix and CycleGAN (upstream issue #2109 and the unsplit data
samples of ``Pix2Pix.test_step``), and one that silently breaks distributed
training: the models call their networks through ``get_module``, which
unwraps ``MMSeparateDistributedDataParallel``, so DDP's forward never runs
and no gradient is ever averaged between processes (each process trains its
own copy; only rank 0's is saved). They are fixed here, in one mixin that
our models inherit before mmagic's classes; installed files are never
patched. When a fixed mmagic is installed the mixin defers to it.
"""
from typing import Dict, List

import mmagic
import torch
from mmagic.utils.typing import SampleList
from mmengine import dist
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict
from mmengine.utils import digit_version
from torch import nn
from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors

#: mmagic releases up to this one need the fixes below.
LAST_AFFECTED_MMAGIC = '1.2.0'
MMAGIC_NEEDS_FIXES = (
    digit_version(mmagic.__version__) <= digit_version(LAST_AFFECTED_MMAGIC))


class GradientAverager:
    """Averages parameter gradients over processes after every backward
    pass, as DistributedDataParallel does.

    A hook on each parameter queues one callback per backward pass; the
    callback all-reduces, in one flat buffer, the gradients of every
    parameter that has one on any process (missing ones count as zeros, as
    unused parameters do in DDP) and divides by the world size. Averaging
    after the backward pass (not before the optimizer step) keeps gradient
    clipping and mixed-precision overflow checks consistent over processes.

    Args:
        params (list[nn.Parameter]): Parameters to keep in sync; the same
            list, in the same order, on every process.
    """

    def __init__(self, params: List[nn.Parameter]):
        self.params = params
        self._queued = False
        for param in params:
            param.register_hook(self._on_grad)

    def _on_grad(self, grad: torch.Tensor) -> torch.Tensor:
        if not self._queued:
            self._queued = True
            torch.autograd.Variable._execution_engine.queue_callback(
                self.average)
        return grad

    @torch.no_grad()
    def average(self) -> None:
        """Average the gradients now (the callback at the end of backward)."""
        self._queued = False
        has_grad = torch.tensor([p.grad is not None for p in self.params],
                                dtype=torch.float32,
                                device=self.params[0].device)
        dist.all_reduce(has_grad)
        params = [p for p, n in zip(self.params, has_grad.tolist()) if n > 0]
        for param in params:
            if param.grad is None:
                param.grad = torch.zeros_like(param)
        grads = [p.grad for p in params]
        flat = _flatten_dense_tensors(grads)
        dist.all_reduce(flat, op='mean')
        for grad, synced in zip(grads, _unflatten_dense_tensors(flat, grads)):
            grad.copy_(synced)


class TranslationModelCompatMixin:
    """Fixes ``init_weights``, ``test_step`` and distributed training of
    mmagic translation models.

    - ``BaseTranslationModel.init_weights`` hands its ``_params_init_info``
      to each generator and discriminator; mmagic's
      ``generation_init_weights`` then hits ``UnboundLocalError: init_info``
      on the network's top module. The fix initialises each network exactly
      as upstream intends (same order, so the same random numbers), without
      the init-info bookkeeping.
    - ``Pix2Pix.test_step`` indexes the stacked data samples without
      splitting them (``TypeError``); ``val_step`` does it right, and the two
      are documented as the same, so ``test_step`` runs ``val_step`` (for
      CycleGAN too, whose two steps already agree).
    - ``train_step`` calls the networks inside the DDP wrappers directly, so
      DDP never averages gradients. When the model's networks are wrapped
      and more than one process trains, the first ``train_step`` attaches a
      :class:`GradientAverager` to every trainable parameter.
    """

    def _networks_to_init(self) -> list:
        """Networks whose ``init_weights`` runs, in upstream's order."""
        nets = []
        for domain in self._reachable_domains:
            nets.append(self.get_module(self.generators)[domain])
            if self.discriminators is not None:
                nets.append(self.get_module(self.discriminators)[domain])
        return nets

    def init_weights(self) -> None:
        """Initialise every generator and discriminator."""
        if not MMAGIC_NEEDS_FIXES:
            return super().init_weights()
        for net in self._networks_to_init():
            net.init_weights()

    def test_step(self, data: dict) -> SampleList:
        """Generate images for a test batch (same as ``val_step``)."""
        if not MMAGIC_NEEDS_FIXES:
            return super().test_step(data)
        return self.val_step(data)

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """One training step; gradients averaged over processes."""
        if MMAGIC_NEEDS_FIXES and not hasattr(self, '_gradient_averager'):
            self._gradient_averager = None
            wrapped = any(is_model_wrapper(m) for m in self.children())
            if wrapped and dist.get_world_size() > 1:
                self._gradient_averager = GradientAverager(
                    [p for p in self.parameters() if p.requires_grad])
                print_log(
                    'Averaging gradients over '
                    f'{dist.get_world_size()} processes after each backward '
                    f'pass (mmagic {mmagic.__version__} never does)',
                    logger='current')
        return super().train_step(data, optim_wrapper)
