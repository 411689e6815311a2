# AdvSegPix2Pix on the paired toy scenes (see toy_runtime.py).
_base_ = [
    '../../_base_/models/advseg_pix2pix.py', './datasets/toy_paired.py',
    './toy_runtime.py'
]
model = dict(
    generator=dict(base_channels=32, num_blocks=6),
    adv_seg=dict(segmenter=_base_.toy_segmenter))
