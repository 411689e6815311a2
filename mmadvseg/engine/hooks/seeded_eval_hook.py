# Copyright (c) mmadvseg contributors. All rights reserved.
from typing import Any, Dict, Optional

from mmagic.registry import HOOKS
from mmengine.hooks import Hook

from ..resume import restore_rng, rng_state


@HOOKS.register_module()
class SeededEvalHook(Hook):
    """Deterministic validation and testing that leave training's random
    numbers alone.

    mmagic's Pix2Pix evaluates with dropout on, drawing its masks from
    torch's global random state, so the same checkpoint scored twice gave
    other metrics, and a validation changed the random numbers training
    drew afterwards. This hook seeds torch with ``seed`` before every
    validation and test iteration and puts every global random state back
    after the loop, so training continues as if nothing had been
    evaluated. (:class:`~mmadvseg.apis.Colorizer` draws its masks with
    numpy, the same on every backend, so its colours for a seed are not
    these.)

    Args:
        seed (int): The seed of every evaluation iteration. Defaults to 0.
    """

    priority = 'VERY_LOW'

    def __init__(self, seed: int = 0) -> None:
        self.seed = int(seed)
        self._saved: Optional[Dict[str, Any]] = None

    def _save(self, runner) -> None:
        self._saved = rng_state()

    def _seed(self, runner, batch_idx: int,
              data_batch: Optional[dict] = None) -> None:
        import torch
        torch.manual_seed(self.seed)

    def _restore(self, runner, metrics: Optional[dict] = None) -> None:
        if self._saved is not None:
            restore_rng(self._saved)
            self._saved = None

    before_val_epoch = before_test_epoch = _save
    before_val_iter = before_test_iter = _seed
    after_val_epoch = after_test_epoch = _restore
