# Copyright (c) mmadvseg contributors. All rights reserved.
from .adv_seg_loss import AdvSegLoss
from .semantic_consistency_loss import SemanticConsistencyLoss

__all__ = ['AdvSegLoss', 'SemanticConsistencyLoss']
