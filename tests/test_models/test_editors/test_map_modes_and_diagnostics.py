# Copyright (c) mmadvseg contributors. All rights reserved.
"""adv_seg.map_mode (soft, hard, gumbel, detached) and the training
diagnostics (guide confidence, gradient norms per generator term)."""
import copy

import pytest
import torch
from mmengine import MessageHub
from mmengine.runner import set_random_seed
from test_advseg_models import build, optim_wrapper

from mmadvseg.testing import make_batch


def _fake_maps(model, seed=2):
    torch.manual_seed(seed)
    sketch = torch.rand(2, 3, 32, 32) * 2 - 1
    outputs = {'fake_photo': model.generators['photo'](sketch)}
    return model._segment(outputs, 'fake_photo', with_grad=True), outputs


@pytest.mark.parametrize('mode, gumbel, one_hot, reaches_generator', [
    ('soft', {}, False, True),
    ('hard', {}, True, True),
    ('gumbel', dict(straight_through=True), True, True),
    ('gumbel', dict(straight_through=False, tau=0.5), False, True),
    ('detached', {}, True, False),
])
def test_map_modes(mode, gumbel, one_hot, reaches_generator):
    model = build('AdvSegCycleGAN', 'both', map_mode=mode, gumbel=gumbel)
    maps, outputs = _fake_maps(model)
    assert maps.probs.shape == (2, 133, 32, 32)
    assert maps.binary.shape == (2, 2, 32, 32)
    for m in (maps.probs, maps.binary):
        torch.testing.assert_close(m.detach().sum(1), torch.ones(2, 32, 32))
        assert (m >= 0).all()
    values = set(maps.probs.detach().unique().tolist())
    assert (values <= {0.0, 1.0}) == one_hot
    soft = outputs['soft_seg_fake_photo'].probs
    if mode in ('hard', 'detached'):  # the argmax of the guide's maps
        assert torch.equal(maps.probs.argmax(1), soft.argmax(1))
    param = model.generators['photo'].model[-1].conv.bias
    weights = torch.rand(133, 1, 1)
    term = (maps.probs * weights).sum() + (maps.binary[:, 0] * 3).sum()
    if reaches_generator:
        grad, = torch.autograd.grad(term, param)
        assert grad.abs().sum() > 0
    else:  # the released code's maps: no gradient to the generator at all
        assert not term.requires_grad


def test_gumbel_samples_are_random_and_sharpen_with_temperature():
    model = build('AdvSegCycleGAN', 'multiclass', map_mode='gumbel',
                  gumbel=dict(straight_through=False, tau=1.0))
    first, _ = _fake_maps(model, seed=2)
    model.adv_seg_gumbel['tau'] = 0.05
    torch.manual_seed(9)
    cold, _ = _fake_maps(model, seed=2)
    assert not torch.allclose(first.probs, cold.probs)
    assert cold.probs.amax(1).mean() > first.probs.amax(1).mean() + 0.2


@pytest.mark.parametrize('settings, message', [
    (dict(map_mode='crisp'), 'map_mode must be one of'),
    (dict(map_mode='soft', hard=True), 'contradicts'),
])
def test_bad_map_modes_are_named(settings, message):
    with pytest.raises(ValueError, match=message):
        build('AdvSegPix2Pix', 'both', **settings)


def test_hard_is_the_old_spelling_of_map_mode_hard():
    assert build('AdvSegPix2Pix', 'both', hard=True).adv_seg_map_mode == \
        'hard'
    assert build('AdvSegPix2Pix', 'both').adv_seg_map_mode == 'soft'


def test_guide_confidence_is_logged_from_the_soft_maps(paired_root):
    model = build('AdvSegPix2Pix', 'binary', map_mode='hard')
    outputs = {}
    batch = model.data_preprocessor(make_batch(paired_root, True), True)
    outputs['real_photo'] = batch['inputs']['img_photo']
    outputs['real_sketch'] = batch['inputs']['img_sketch']
    outputs['fake_photo'] = model.generators['photo'](outputs['real_sketch'])
    losses = model.adv_seg_disc_losses(outputs)
    for kind in ('real', 'fake'):
        probs = model.segmenter(outputs[f'{kind}_photo']).probs.detach()
        entropy = -(probs * probs.log()).sum(1).mean()
        torch.testing.assert_close(losses[f'advseg_guide_entropy_{kind}'],
                                   entropy)
        torch.testing.assert_close(losses[f'advseg_guide_maxprob_{kind}'],
                                   probs.amax(1).mean())
        assert 0 < entropy < torch.log(torch.tensor(133.0))


def _train(model, batch, iters):
    wrapper = optim_wrapper(model)
    hub = MessageHub.get_current_instance()
    logs = []
    for it in range(iters):
        hub.update_info('iter', it)
        set_random_seed(it)  # torch, numpy (the image pools), random
        logs.append(model.train_step(batch, wrapper))
    return logs


@pytest.mark.parametrize('model_type, paired, terms', [
    ('AdvSegPix2Pix', True, ['loss_gan_g', 'loss_pixel',
                             'loss_advseg_multiclass_g',
                             'loss_advseg_binary_g']),
    ('AdvSegCycleGAN', False, ['loss_gan_g_photo', 'cycle_loss', 'id_loss',
                               'loss_advseg_multiclass_g',
                               'loss_advseg_binary_g']),
])
def test_gradient_norms_per_term(model_type, paired, terms, paired_root,
                                 unpaired_root):
    batch = make_batch(paired_root if paired else unpaired_root, paired)
    probed = build(model_type, 'both')
    probed._init_diagnostics(grad_norm_interval=2)
    plain = copy.deepcopy(probed)
    plain._init_diagnostics(0)
    logs = _train(probed, batch, 3)
    assert sorted(k for k in logs[0] if k.startswith('gradnorm_')) == \
        sorted(f'gradnorm_{t}' for t in terms)
    assert not any(k.startswith('gradnorm_') for k in logs[1])
    for key in logs[2]:
        if key.startswith('gradnorm_'):
            assert torch.isfinite(logs[2][key]) and logs[2][key] > 0, key
    # measuring changes nothing in training
    _train(plain, batch, 3)
    for (name, a), b in zip(probed.state_dict().items(),
                            plain.state_dict().values()):
        assert torch.equal(a, b), name


def test_pixel_term_gradient_norm_is_the_l1_gradient(paired_root):
    """||d(100 L1)/d fake|| per image = 100 sqrt(CHW) / (N CHW)."""
    model = build('AdvSegPix2Pix', None)
    model._init_diagnostics(grad_norm_interval=1)
    logs = _train(model, make_batch(paired_root, True), 1)
    n, chw = 2, 3 * 32 * 32
    expected = 100 * chw**0.5 / (n * chw)
    assert float(logs[0]['gradnorm_loss_pixel']) == pytest.approx(
        expected, rel=1e-4)
