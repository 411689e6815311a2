# Copyright (c) mmadvseg contributors. All rights reserved.
from .adv_seg_loss import AdvSegLoss
from .semantic_consistency_loss import SemanticConsistencyLoss
from .semantic_cycle_loss import SemanticCycleLoss

__all__ = ['AdvSegLoss', 'SemanticConsistencyLoss', 'SemanticCycleLoss']
