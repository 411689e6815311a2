# Copyright (c) mmadvseg contributors. All rights reserved.
"""Common random numbers: an AdvSegLoss arm draws the same random numbers
as its baseline for everything they share (initial weights, Pix2Pix dropout
masks, CycleGAN image-buffer picks), so an arm whose segmentation terms
weigh nothing trains to the baseline's weights, bit for bit."""
import numpy as np
import pytest
import torch
from test_advseg_models import build, train_steps

from mmadvseg.testing import make_batch

ZERO = dict(multiclass=0.0, binary=0.0)


def _shared_state(model) -> dict:
    """The generators' and the image discriminators' weights (what a
    baseline has too)."""
    return {
        k: v
        for k, v in model.state_dict().items()
        if k.startswith('generators.') or (
            k.startswith('discriminators.') and '.advseg_' not in k)
    }


@pytest.mark.parametrize('model_type,paired,extra', [
    ('AdvSegPix2Pix', True, {}),
    ('AdvSegPix2Pix', True, dict(map_mode='gumbel')),
    ('AdvSegCycleGAN', False, dict(condition=None, buffer_size=1)),
])
def test_zero_weight_arm_trains_to_its_baselines_weights(
        model_type, paired, extra, paired_root, unpaired_root):
    batch = make_batch(paired_root if paired else unpaired_root, paired)
    states = []
    for variant in (None, 'both'):
        # seeded once, as a run is: training draws from the random state
        # that building and initialising the model left
        np.random.seed(1)
        model = build(model_type, variant, seed=0,
                      **(dict(loss_weights=ZERO, **extra) if variant else {}))
        train_steps(model, batch, 6)  # CycleGAN buffers of 4 fill at 2
        states.append(_shared_state(model))
    base, arm = states
    assert base.keys() == arm.keys()
    differ = [k for k in base if not torch.equal(base[k], arm[k])]
    assert not differ, f'{len(differ)} of {len(base)} differ: {differ[:3]}'
