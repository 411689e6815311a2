# Copyright (c) mmadvseg contributors. All rights reserved.
"""A test hook that stops a training run as a kill would."""
from mmagic.registry import HOOKS
from mmengine.hooks import Hook


@HOOKS.register_module(force=True)
class CrashAfterIter(Hook):
    """Stop a training run like a kill, after iteration ``at`` (and its
    checkpoint). Import this module to register it.

    Args:
        at (int): The last iteration (1-based) that runs.
    """

    priority = 'LOWEST'

    def __init__(self, at: int) -> None:
        self.at = at

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 == self.at:
            raise KeyboardInterrupt(f'killed after iteration {self.at}')
