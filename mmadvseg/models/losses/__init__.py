# Copyright (c) mmadvseg contributors. All rights reserved.
from .adv_seg_loss import AdvSegLoss

__all__ = ['AdvSegLoss']
