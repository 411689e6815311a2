# Copyright (c) mmadvseg contributors. All rights reserved.
"""mmagic 1.2.0's two blocking bugs, shown upstream and fixed in ours."""
import pytest
import torch
from mmagic.registry import MODELS

from mmadvseg.models.editors.mmagic_compat import MMAGIC_NEEDS_FIXES
from mmadvseg.testing import make_batch, tiny_translation_cfg

needs_fixes = pytest.mark.skipif(
    not MMAGIC_NEEDS_FIXES, reason='the installed mmagic has the fixes')


def stock(model_type: str):
    cfg = tiny_translation_cfg(model_type)
    cfg.pop('adv_seg')
    cfg['type'] = model_type.replace('AdvSeg', '')
    return MODELS.build(cfg)


@needs_fixes
@pytest.mark.parametrize('model_type', ['AdvSegPix2Pix', 'AdvSegCycleGAN'])
def test_init_weights(model_type):
    with pytest.raises(UnboundLocalError, match='init_info'):
        stock(model_type).init_weights()
    model = MODELS.build(tiny_translation_cfg(model_type))
    conv = model.generators['photo'].model[0].conv
    weight = conv.weight.data
    weight.fill_(1.0)
    model.init_weights()
    # N(0, 0.02) as the configs ask
    assert weight.std().item() == pytest.approx(0.02, rel=0.3)
    assert weight.mean().abs().item() < 0.01


@needs_fixes
def test_pix2pix_test_step(paired_root):
    batch = make_batch(paired_root, True, test_mode=True)
    with pytest.raises(TypeError):
        stock('AdvSegPix2Pix').test_step(batch)
    torch.manual_seed(0)
    model = MODELS.build(tiny_translation_cfg('AdvSegPix2Pix'))
    samples = model.test_step(batch)
    assert [s.fake_photo.shape for s in samples] == [(3, 32, 32)] * 2
