# Copyright (c) mmadvseg contributors. All rights reserved.
"""No waste in a training step: each image is segmented once, the real
photo without a graph, and the gradient-norm probe runs on its interval
only (docs/benchmarks.md, "Toy CycleGAN step")."""
from typing import List, Tuple

import pytest
import torch
from mmengine import MessageHub
from test_advseg_models import build, optim_wrapper

from mmadvseg.testing import make_batch

#: (model, adv_seg settings, the segmenter calls one step needs as
#: (grad enabled, input requires grad) pairs, sorted)
REAL, GRAPH = (False, False), (True, True)
ARMS = [
    ('AdvSegCycleGAN', dict(variant='both'), [REAL, GRAPH]),
    ('AdvSegCycleGAN', dict(variant='both', condition='source'),
     [REAL, GRAPH]),
    ('AdvSegCycleGAN', dict(variant='semcycle'), [REAL, GRAPH]),
    ('AdvSegCycleGAN', dict(variant='both', semantic_cycle={}),
     [REAL, GRAPH, GRAPH]),
    ('AdvSegPix2Pix', dict(variant='both'), [REAL, GRAPH]),
    ('AdvSegPix2Pix', dict(variant='consistency'), [REAL, GRAPH]),
]


def _segmenter_calls(model, batch: dict,
                     iters: int = 2) -> List[List[Tuple[bool, bool]]]:
    """The segmenter's forward calls of each of ``iters`` training steps."""
    calls: List[Tuple[bool, bool]] = []
    handle = model.segmenter.register_forward_hook(
        lambda mod, args, out: calls.append(
            (torch.is_grad_enabled(), args[0].requires_grad)))
    wrapper, hub, per_step = optim_wrapper(model), \
        MessageHub.get_current_instance(), []
    try:
        for it in range(iters):
            hub.update_info('iter', it)
            calls.clear()
            model.train_step(batch, wrapper)
            per_step.append(sorted(calls))
    finally:
        handle.remove()
    return per_step


@pytest.mark.parametrize('model_type,adv_seg,expected', ARMS)
def test_each_image_is_segmented_once_reals_without_graph(
        model_type, adv_seg, expected, paired_root, unpaired_root):
    """One guide pass per segmented image and step (the discriminator and
    generator steps share it); the real photo's without autograd."""
    paired = model_type == 'AdvSegPix2Pix'
    model = build(model_type, **adv_seg)
    batch = make_batch(paired_root if paired else unpaired_root, paired)
    assert _segmenter_calls(model, batch) == [expected, expected]


def test_grad_norm_probe_runs_on_its_interval_only(unpaired_root,
                                                   monkeypatch):
    """The probe's extra backward passes happen every ``grad_norm_interval``
    iterations (25 in the toy protocols), not in between."""
    model = build('AdvSegCycleGAN', 'both')
    model.grad_norm_interval = 25
    grads = []
    autograd_grad = torch.autograd.grad

    def counting_grad(*args, **kwargs):
        grads.append(1)
        return autograd_grad(*args, **kwargs)

    monkeypatch.setattr(torch.autograd, 'grad', counting_grad)
    batch, wrapper = make_batch(unpaired_root, False), optim_wrapper(model)
    hub = MessageHub.get_current_instance()
    for it, probed in ((0, True), (1, False), (24, False), (25, True)):
        hub.update_info('iter', it)
        grads.clear()
        log_vars = model.train_step(batch, wrapper)
        assert bool(grads) == probed, it
        assert any(k.startswith('gradnorm_') for k in log_vars) == probed
