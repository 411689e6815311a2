# Copyright (c) mmadvseg contributors. All rights reserved.
"""CycleGAN's semantic terms: the semantic cycle loss, the joint (sketch,
map) seg discriminators, and the ramp-up of the seg terms' weight."""
import numpy as np
import pytest
import torch
from mmengine import MessageHub
from test_advseg_models import build, optim_wrapper
from test_exact_pairing import _shared_state

from mmadvseg.testing import make_batch

KINDS = (('multiclass', 'probs'), ('binary', 'binary'))
#: Seg discriminators as small as the tiny models' image ones (fast tests).
SMALL = dict(discriminator=dict(base_channels=8))


def _outputs(model, seed: int = 0) -> dict:
    """CycleGAN's forward results for a random sketch ``a`` and photo
    ``b`` (generators['photo'] maps sketch -> photo: G_A)."""
    gen = torch.Generator().manual_seed(seed)
    a, b = (torch.rand(2, 3, 32, 32, generator=gen) * 2 - 1 for _ in 'ab')
    g = model.generators
    fake_photo, fake_sketch = g['photo'](a), g['sketch'](b)
    return dict(real_sketch=a, real_photo=b, fake_photo=fake_photo,
                fake_sketch=fake_sketch, cycle_sketch=g['sketch'](fake_photo),
                cycle_photo=g['photo'](fake_sketch))


def _moved(module) -> bool:
    grads = [p.grad for p in module.parameters()]
    return all(g is not None for g in grads) and sum(
        float(g.abs().sum()) for g in grads) > 0


def test_semantic_cycle_reaches_both_generators_not_the_guide(
        unpaired_root):
    """G_A(G_B(b))'s class probabilities against b's: the gradient moves
    both generators, never the frozen guide, and b is only a target."""
    model = build('AdvSegCycleGAN', 'semcycle')
    assert not [k for k in model.discriminators if k.startswith('advseg_')]
    outputs = _outputs(model)
    target = outputs['real_photo'].clone().requires_grad_()
    outputs['real_photo'] = target
    losses = model.adv_seg_gen_losses(outputs)
    assert set(losses) == {'loss_semcycle'}
    with torch.no_grad():  # the reconstruction's maps against the photo's
        rec = model.segmenter(outputs['cycle_photo']).probs
        real = model.segmenter(target).probs
    torch.testing.assert_close(losses['loss_semcycle'],
                               -(real * rec.log()).sum(1).mean())
    losses['loss_semcycle'].backward()
    assert _moved(model.generators['photo'])
    assert _moved(model.generators['sketch'])
    assert all(p.grad is None for p in model.segmenter.parameters())
    assert target.grad is None
    # in training, beside the image GAN terms
    MessageHub.get_current_instance().update_info('iter', 0)
    log_vars = model.train_step(make_batch(unpaired_root, False),
                                optim_wrapper(model))
    assert torch.isfinite(log_vars['loss_semcycle'])
    with pytest.raises(ValueError, match='needs a cycle'):
        build('AdvSegPix2Pix', 'semcycle')


def _recording(model) -> dict:
    """Record each seg discriminator call's (map, condition)."""
    seen = {kind: [] for kind, _ in KINDS}
    for kind in seen:
        disc = model.discriminators[f'advseg_{kind}']
        forward = disc.forward

        def record(seg, condition=None, kind=kind, forward=forward):
            seen[kind].append((seg.detach().clone(), condition.clone()))
            return forward(seg, condition)

        disc.forward = record
    return seen


def test_joint_discriminator_real_pairs_hold_no_fake_photo_and_fake_pairs_no_real_photo():  # noqa: E501
    model = build('AdvSegCycleGAN', 'both', condition='source', **SMALL)
    disc = model.discriminators['advseg_multiclass']
    assert (disc.seg_channels, disc.condition_channels) == (133, 3)
    seen = _recording(model)
    outputs = _outputs(model)
    pristine = dict(outputs)  # before the maps are cached in outputs
    with torch.no_grad():
        real_maps = model.segmenter(outputs['real_photo'])
        fake_maps = model.segmenter(outputs['fake_photo'])
    d_losses = model.adv_seg_disc_losses(outputs)
    for kind, attr in KINDS:
        (real_seg, real_cond), (fake_seg, fake_cond) = seen[kind]
        # real pair: (G_B(b), guide(b))
        assert torch.equal(real_cond, outputs['fake_sketch'])
        torch.testing.assert_close(real_seg, getattr(real_maps, attr))
        # fake pair: (a, guide(G_A(a)))
        assert torch.equal(fake_cond, outputs['real_sketch'])
        torch.testing.assert_close(fake_seg, getattr(fake_maps, attr))
    # another generated photo leaves the real pairs as they were; another
    # real photo (and its sketch) leaves the fake pairs as they were
    other = _outputs(model, seed=1)
    for swap, index in ((('fake_photo', ), 0),
                        (('real_photo', 'fake_sketch'), 1)):
        changed = dict(pristine, **{k: other[k] for k in swap})
        again = _recording(model)
        model.adv_seg_disc_losses(changed)
        for kind, _ in KINDS:
            for a, b in zip(seen[kind][index], again[kind][index]):
                assert torch.equal(a, b), (swap, kind)
            assert not torch.equal(seen[kind][1 - index][0],
                                   again[kind][1 - index][0])
    # the discriminator step leaves no gradient in the generators; the
    # generator terms reach G_A only (the sketch is an input), not the guide
    sum(v for k, v in d_losses.items() if 'loss' in k).backward()
    assert all(p.grad is None for p in model.generators.parameters())
    sum(model.adv_seg_gen_losses(outputs).values()).backward()
    assert _moved(model.generators['photo'])
    assert all(p.grad is None for p in model.generators['sketch'].parameters())
    assert all(p.grad is None for p in model.segmenter.parameters())


def test_joint_map_buffer_keeps_each_map_with_its_sketch(unpaired_root):
    model = build('AdvSegCycleGAN', 'both', condition='source',
                  buffer_size=2, **SMALL)
    for buffer in model.adv_seg_buffers.values():
        buffer.buffer_ratio = 1.0  # once full, always an older pair
    seen = _recording(model)
    wrapper = optim_wrapper(model)
    batch = make_batch(unpaired_root, False)
    hub = MessageHub.get_current_instance()
    for it in range(2):
        hub.update_info('iter', it)
        model.train_step(batch, wrapper)
    for kind, _ in KINDS:
        # per step: D on the real pairs, D on the buffer's fake pairs, G on
        # the fake pairs; the second step's pool holds both steps' pairs
        pooled, fakes = seen[kind][4], seen[kind][5]
        pairs = [(seg[j], cond[j]) for seg, cond in (seen[kind][2], fakes)
                 for j in range(len(seg))]
        for seg, cond in zip(*pooled):
            assert any(torch.equal(seg, s) and torch.equal(cond, c)
                       for s, c in pairs), kind
        assert not all(any(torch.equal(seg, new) for new in fakes[0])
                       for seg in pooled[0]), 'no earlier pair was drawn'


@pytest.mark.parametrize('model_type,paired,extra', [
    ('AdvSegPix2Pix', True, dict(consistency={})),
    ('AdvSegCycleGAN', False,
     dict(condition='source', semantic_cycle={}, buffer_size=1)),
])
def test_ramp_up_starts_with_the_baselines_update(model_type, paired, extra,
                                                  paired_root,
                                                  unpaired_root):
    """With every seg term on at full weight, a ramp-up weighs them 0 at
    iteration 0: that update is the baseline's, bit for bit; at iteration 1
    (weight 0.5) the generators part ways."""
    batch = make_batch(paired_root if paired else unpaired_root, paired)
    hub = MessageHub.get_current_instance()
    hub.update_info('max_iters', 4)  # ramp over 0.5 x 4 iterations
    runs = []
    for variant in (None, 'both'):
        np.random.seed(1)
        model = build(model_type, variant, seed=0,
                      **(dict(ramp_up=0.5, **SMALL, **extra)
                         if variant else {}))
        wrapper = optim_wrapper(model)
        states, ramps = [], []
        for it in range(2):
            hub.update_info('iter', it)
            log_vars = model.train_step(batch, wrapper)
            states.append(
                {k: v.clone() for k, v in _shared_state(model).items()})
            ramps.append(log_vars.get('advseg_ramp'))
        runs.append((states, ramps))
    (base, _), (arm, ramps) = runs
    assert [float(r) for r in ramps] == [0.0, 0.5]
    assert base[0].keys() == arm[0].keys()
    differ = [k for k in base[0] if not torch.equal(base[0][k], arm[0][k])]
    assert not differ, f'{len(differ)} of {len(base[0])} differ at it 0'
    assert any(not torch.equal(base[1][k], arm[1][k]) for k in base[1]
               if k.startswith('generators.'))


@pytest.mark.parametrize('ramp_up', [1.0, -0.1, True, '0.2'])
def test_bad_ramp_up_is_named(ramp_up):
    with pytest.raises(ValueError, match='ramp_up'):
        build('AdvSegCycleGAN', 'both', ramp_up=ramp_up)
