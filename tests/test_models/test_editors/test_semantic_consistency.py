# Copyright (c) mmadvseg contributors. All rights reserved.
"""The ``consistency`` variant of AdvSegPix2Pix: the non-adversarial
control."""
import pytest
import torch
from test_advseg_models import build, train_steps

from mmadvseg.testing import make_batch


def test_gradient_reaches_the_generator_not_the_guide_or_the_target(
        paired_root):
    """The consistency variant: no segmentation discriminator; its term's
    gradient moves the generator, never the frozen guide, and the real
    photo is only a target."""
    model = build('AdvSegPix2Pix', 'consistency')
    assert not [k for k in model.discriminators if k.startswith('advseg_')]
    sketch = torch.rand(1, 3, 32, 32) * 2 - 1
    real = (torch.rand(1, 3, 32, 32) * 2 - 1).requires_grad_()
    outputs = dict(real_sketch=sketch, real_photo=real,
                   fake_photo=model.generators['photo'](sketch))
    loss = model.adv_seg_gen_losses(outputs)['loss_semcons']
    loss.backward()
    grads = [p.grad for p in model.generators.parameters()]
    assert all(g is not None for g in grads)
    assert sum(float(g.abs().sum()) for g in grads) > 0
    assert all(p.grad is None for p in model.segmenter.parameters())
    assert real.grad is None
    log_vars = train_steps(model, make_batch(paired_root, True), 2)
    assert torch.isfinite(log_vars['loss_semcons'])


def test_consistency_needs_paired_data():
    with pytest.raises(ValueError, match='needs paired data'):
        build('AdvSegCycleGAN', 'consistency')
