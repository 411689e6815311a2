# Copyright (c) mmadvseg contributors. All rights reserved.
import copy

import pytest
import torch
from mmagic.registry import MODELS
from mmengine import MessageHub
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmadvseg.models import AdvSegCycleGAN, AdvSegPix2Pix
from mmadvseg.testing import (
    make_batch,
    tiny_segmenter_cfg,
    tiny_translation_cfg,
)

MODELS_AND_DATA = [('AdvSegPix2Pix', True), ('AdvSegCycleGAN', False)]
VARIANTS = ['multiclass', 'binary', 'both']


def build(model_type: str, variant=None, seed: int = 0, **adv_seg):
    torch.manual_seed(seed)
    if variant is not None:
        adv_seg = dict(
            dict(segmenter=tiny_segmenter_cfg(), variant=variant), **adv_seg)
        if model_type == 'AdvSegCycleGAN':
            adv_seg.setdefault('loss', dict(gan_type='lsgan'))
    model = MODELS.build(
        tiny_translation_cfg(model_type, adv_seg if variant else None))
    model.init_weights()
    return model


def optim_wrapper(model) -> OptimWrapperDict:
    return OptimWrapperDict(
        generators=OptimWrapper(
            torch.optim.Adam(model.generators.parameters(), lr=2e-4)),
        discriminators=OptimWrapper(
            torch.optim.Adam(model.discriminators.parameters(), lr=2e-4)))


def train_steps(model, batch, num: int = 1) -> dict:
    wrapper = optim_wrapper(model)
    hub = MessageHub.get_current_instance()
    for it in range(num):
        hub.update_info('iter', it)
        log_vars = model.train_step(batch, wrapper)
    return log_vars


@pytest.mark.parametrize('model_type,paired', MODELS_AND_DATA)
@pytest.mark.parametrize('variant', VARIANTS)
def test_variants_train_val_and_test(model_type, paired, variant,
                                     paired_root, unpaired_root):
    root = paired_root if paired else unpaired_root
    model = build(model_type, variant)
    keys = {
        'multiclass': ['multiclass'],
        'binary': ['binary'],
        'both': ['multiclass', 'binary']
    }[variant]
    assert sorted(k for k in model.discriminators
                  if k.startswith('advseg_')) == sorted(
                      f'advseg_{k}' for k in keys)
    log_vars = train_steps(model, make_batch(root, paired))
    for key in keys:
        for name in (f'loss_advseg_{key}_d', f'loss_advseg_{key}_g'):
            assert torch.isfinite(log_vars[name]), name
        assert 'loss' not in f'advseg_{key}_d_real_logit'
        assert f'advseg_{key}_d_real_logit' in log_vars
    for step in (model.val_step, model.test_step):
        samples = step(make_batch(root, paired, test_mode=True))
        assert len(samples) == 2
        assert samples[0].fake_photo.shape == (3, 32, 32)


@pytest.mark.parametrize('model_type,paired', MODELS_AND_DATA)
def test_without_adv_seg_identical_to_mmagic(model_type, paired, paired_root,
                                             unpaired_root):
    root = paired_root if paired else unpaired_root
    batch = make_batch(root, paired)
    ours = build(model_type, None)
    stock_cfg = tiny_translation_cfg(model_type)
    stock_cfg.pop('adv_seg')
    stock_cfg['type'] = model_type.replace('AdvSeg', '')
    torch.manual_seed(0)
    stock = MODELS.build(stock_cfg)
    # mmagic 1.2.0 cannot init_weights: apply the same init in the same
    # order, so both models consume the same random numbers
    for domain in stock._reachable_domains:
        stock.generators[domain].init_weights()
        stock.discriminators[domain].init_weights()
    for (name, a), b in zip(ours.state_dict().items(),
                            stock.state_dict().values()):
        assert torch.equal(a, b), name
    torch.manual_seed(1)
    log_ours = train_steps(ours, batch, 2)
    torch.manual_seed(1)
    log_stock = train_steps(stock, batch, 2)
    assert log_ours.keys() == log_stock.keys()
    for key in log_ours:
        assert torch.equal(log_ours[key], log_stock[key]), key
    for (name, a), b in zip(ours.state_dict().items(),
                            stock.state_dict().values()):
        assert torch.equal(a, b), name


def _generator_term(model, sketch):
    outputs = {
        'real_sketch': sketch,
        'real_photo': sketch.flip(1),
        'fake_photo': model.generators['photo'](sketch)
    }
    return sum(model.adv_seg_gen_losses(outputs).values())


@pytest.mark.parametrize('hard', [False, True])
def test_seg_loss_alone_moves_the_generator(hard):
    """The AdvSegLoss generator term has a gradient w.r.t. the generator's
    parameters (the reference code's has none) that matches finite
    differences; hard maps pass it straight through."""
    model = build('AdvSegCycleGAN', 'both', hard=hard).double()
    torch.manual_seed(2)
    sketch = torch.rand(1, 3, 32, 32, dtype=torch.float64) * 2 - 1
    param = model.generators['photo'].model[-1].conv.bias  # output conv
    loss = _generator_term(model, sketch)
    grad, = torch.autograd.grad(loss, param)
    assert grad.abs().sum() > 0
    if hard:  # piecewise-constant forward: only the surrogate is smooth
        return
    eps = 1e-6
    with torch.no_grad():
        for i in range(param.numel()):
            param[i] += eps
            up = _generator_term(model, sketch)
            param[i] -= 2 * eps
            down = _generator_term(model, sketch)
            param[i] += eps
            numeric = (up - down) / (2 * eps)
            torch.testing.assert_close(
                grad[i], numeric, rtol=1e-4, atol=1e-9)


@pytest.mark.parametrize('model_type,paired', MODELS_AND_DATA)
def test_segmenter_stays_frozen_and_out_of_checkpoints(
        model_type, paired, paired_root, unpaired_root):
    root = paired_root if paired else unpaired_root
    model = build(model_type, 'both')
    before = copy.deepcopy(model.segmenter.state_dict())
    train_steps(model, make_batch(root, paired), 3)
    model.val_step(make_batch(root, paired, test_mode=True))
    model.train()
    assert not model.segmenter.training
    for key, value in model.segmenter.state_dict().items():
        assert torch.equal(value, before[key]), key
    assert not any(k.startswith('segmenter') for k in model.state_dict())
    assert all(p is not q for p in model.parameters()
               for q in model.segmenter.parameters())


def test_seg_discriminators_survive_a_checkpoint(paired_root, tmp_path):
    model = build('AdvSegPix2Pix', 'both')
    train_steps(model, make_batch(paired_root, True), 2)
    torch.save(model.state_dict(), tmp_path / 'ckpt.pth')
    fresh = build('AdvSegPix2Pix', 'both', seed=5)
    fresh.load_state_dict(torch.load(tmp_path / 'ckpt.pth'))
    for key in ('advseg_multiclass', 'advseg_binary'):
        for (name, a), b in zip(
                model.discriminators[key].state_dict().items(),
                fresh.discriminators[key].state_dict().values()):
            assert torch.equal(a, b), name


def test_pix2pix_conditions_on_the_real_photo_by_default():
    model = build('AdvSegPix2Pix', 'binary', condition='target')
    disc = model.discriminators['advseg_binary']
    assert (disc.seg_channels, disc.condition_channels) == (2, 3)
    with pytest.raises(ValueError, match='condition'):
        build('AdvSegCycleGAN', 'binary', condition='target')
    with pytest.raises(ValueError, match='variant'):
        build('AdvSegPix2Pix', 'threeclass')


@pytest.mark.parametrize('adv_seg, message', [
    (dict(loss_weights=dict(multi_class=10)), 'unknown terms'),
    (dict(segmenter=None), 'needs a segmenter'),
    (dict(domains=['photo', 'photo']), 'lists a domain twice'),
])
def test_bad_adv_seg_settings_are_named(adv_seg, message):
    with pytest.raises(ValueError, match=message):
        build('AdvSegPix2Pix', 'both', **adv_seg)


def test_adv_seg_needs_discriminators():
    cfg = tiny_translation_cfg(
        'AdvSegPix2Pix', dict(segmenter=tiny_segmenter_cfg()))
    cfg['discriminator'] = None
    with pytest.raises(ValueError, match="model's discriminators"):
        MODELS.build(cfg)


def test_seg_map_buffer_shows_earlier_fakes_to_the_discriminator(
        unpaired_root):
    model = build('AdvSegCycleGAN', 'multiclass', buffer_size=2)
    model.adv_seg_buffers['multiclass'].buffer_ratio = 1.0  # once full
    disc = model.discriminators['advseg_multiclass']
    seen = []
    forward = disc.forward
    disc.forward = lambda seg, condition=None: (
        seen.append(seg.detach().clone()) or forward(seg, condition))
    batch = make_batch(unpaired_root, False)
    train_steps(model, batch, num=2)
    # per step: D on the real maps, D on the buffer's fakes, G on the fakes
    (_, first_pooled, first_fakes), (_, pooled, fakes) = seen[:3], seen[3:]
    assert torch.equal(first_pooled, first_fakes)  # the buffer was filling
    assert any(torch.equal(pooled[0], old) for old in first_fakes)
    assert not any(torch.equal(pooled[0], new) for new in fakes)


def test_segments_each_image_once_per_step(paired_root, monkeypatch):
    model = build('AdvSegPix2Pix', 'both')
    calls = []
    forward = type(model.segmenter).forward

    def counting(self, inputs, hard=False):
        calls.append(inputs.requires_grad)
        return forward(self, inputs, hard)

    monkeypatch.setattr(type(model.segmenter), 'forward', counting)
    train_steps(model, make_batch(paired_root, True))
    # one pass on the fakes (with a graph), one on the reals (without)
    assert sorted(calls) == [False, True]


def test_classes_are_registered():
    assert MODELS.get('AdvSegPix2Pix') is AdvSegPix2Pix
    assert MODELS.get('AdvSegCycleGAN') is AdvSegCycleGAN


@pytest.mark.parametrize('model_type', ['AdvSegPix2Pix', 'AdvSegCycleGAN'])
def test_arms_of_a_seed_start_from_the_same_weights(model_type):
    """Building the segmenter and the seg discriminators draws no number
    from the global random state: the baseline and every AdvSegLoss arm of
    a seed start with the same generators and discriminators (paired
    experiments)."""
    baseline = build(model_type, None, seed=3)
    both = build(model_type, 'both', seed=3)
    for part in ('generators', 'discriminators'):
        for (name, a), b in zip(
                getattr(baseline, part).state_dict().items(),
                getattr(both, part).state_dict().values()):
            assert torch.equal(a, b), f'{part}.{name}'
