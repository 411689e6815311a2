# Copyright (c) mmadvseg contributors. All rights reserved.
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .save_test_results_hook import SaveTestResultsHook

__all__ = ['AtomicCheckpointHook', 'SaveTestResultsHook']
