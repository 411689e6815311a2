# Copyright (c) mmadvseg contributors. All rights reserved.
from .advseg_cyclegan import AdvSegCycleGAN
from .advseg_pix2pix import AdvSegPix2Pix

__all__ = ['AdvSegCycleGAN', 'AdvSegPix2Pix']
