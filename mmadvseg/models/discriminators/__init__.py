# Copyright (c) mmadvseg contributors. All rights reserved.
from .seg_patch_discriminator import SegPatchDiscriminator

__all__ = ['SegPatchDiscriminator']
