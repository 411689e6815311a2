# Copyright (c) mmadvseg contributors. All rights reserved.
import random

import numpy as np
import torch

from mmadvseg.engine.hooks import SeededEvalHook


def _draws() -> tuple:
    return (random.random(), float(np.random.rand()), float(torch.rand(1)))


def test_evaluation_draws_fixed_numbers_and_training_continues_as_if_not():
    """Every evaluation iteration draws what ``torch.manual_seed(seed)``
    gives; after the loop every global random state is where training left
    it."""
    hook = SeededEvalHook(seed=5)
    torch.manual_seed(0)
    np.random.seed(0)
    random.seed(0)
    untouched = _draws()
    torch.manual_seed(0)
    np.random.seed(0)
    random.seed(0)
    for before, after in (('before_val_epoch', 'after_val_epoch'),
                          ('before_test_epoch', 'after_test_epoch')):
        getattr(hook, before)(None)
        masks = []
        for i in range(2):
            getattr(hook, before.replace('epoch', 'iter'))(None, i)
            masks.append(torch.rand(3))
            np.random.rand()  # numbers the loop draws elsewhere
        torch.manual_seed(5)
        assert torch.equal(masks[0], torch.rand(3))
        assert torch.equal(masks[0], masks[1])
        getattr(hook, after)(None)
    assert _draws() == untouched
