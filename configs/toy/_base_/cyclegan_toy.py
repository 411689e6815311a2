# AdvSegCycleGAN on the unpaired toy scenes (see toy_runtime.py).
_base_ = [
    '../../_base_/models/advseg_cyclegan.py', './datasets/toy_unpaired.py',
    './toy_runtime.py'
]
model = dict(
    generator=dict(base_channels=32, num_blocks=6),
    adv_seg=dict(segmenter=_base_.toy_segmenter))
