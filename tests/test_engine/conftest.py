# Copyright (c) mmadvseg contributors. All rights reserved.
"""Real configs trained in this process on tiny data (tools/train.py's
body, :func:`mmadvseg.engine.runs.train`), with random FID weights."""
import itertools
import os.path as osp

import pytest

import mmadvseg.testing.crash_hook  # noqa: F401  (registers CrashAfterIter)
from mmadvseg.evaluation.inception import FID_WEIGHTS_NAME
from mmadvseg.testing import (
    make_paired,
    make_unpaired,
    save_random_inception_weights,
)

_RUNS = itertools.count()


class TinyRuns:
    """Options that point a real config at tiny data and shrink it."""

    def __init__(self, root) -> None:
        self.root = root
        self.paired = make_paired(root / 'paired', size=40)
        self.unpaired = make_unpaired(root / 'unpaired', size=40)

    def options(self, paired: bool, **extra) -> dict:
        opts = {}
        for split in ('train', 'val', 'test'):
            opts.update({
                f'{split}_dataloader.dataset.data_root':
                self.paired if paired else self.unpaired,
                f'{split}_dataloader.num_workers': 0,
                f'{split}_dataloader.persistent_workers': False,
            })
        opts.update({
            'model.generator.base_channels': 8,
            'model.discriminator.base_channels': 8,
            'model.generator.num_blocks': 1,
            'default_hooks.logger.interval': 1,
        })
        opts.update(extra)
        # one logger and message hub per run of this process
        opts['experiment_name'] = f'tiny_run_{next(_RUNS)}'
        return opts


@pytest.fixture
def tiny_runs(tmp_path, _isolated_caches) -> TinyRuns:
    """Tiny datasets, and random FID Inception weights in the test's hub
    cache (``$TORCH_HOME``)."""
    save_random_inception_weights(
        osp.join(str(_isolated_caches), 'hub', 'checkpoints',
                 FID_WEIGHTS_NAME))
    return TinyRuns(tmp_path)
