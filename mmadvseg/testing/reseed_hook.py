# Copyright (c) mmadvseg contributors. All rights reserved.
"""A test hook that pins the random numbers of test-time dropout."""
from typing import Optional

from mmagic.registry import HOOKS
from mmengine.hooks import Hook


@HOOKS.register_module()
class ReseedTestIterHook(Hook):
    """Seed torch before every test iteration.

    mmagic's Pix2Pix tests with dropout on, drawing its masks from torch's
    global random numbers, whose state depends on everything the runner did
    before. Seeded before each iteration of a test with batch size 1, each
    image gets the masks of ``torch.manual_seed(seed)`` followed by its
    forward pass: those :class:`mmadvseg.apis.Colorizer` draws for that
    seed. Import this module (``custom_imports``) to register it.

    Args:
        seed (int): The seed.
    """

    priority = 'VERY_LOW'

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def before_test_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None) -> None:
        import torch
        torch.manual_seed(self.seed)
