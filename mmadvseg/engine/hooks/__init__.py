# Copyright (c) mmadvseg contributors. All rights reserved.
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .save_test_results_hook import SaveTestResultsHook
from .seeded_eval_hook import SeededEvalHook

__all__ = ['AtomicCheckpointHook', 'SaveTestResultsHook', 'SeededEvalHook']
