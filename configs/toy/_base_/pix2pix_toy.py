# AdvSegPix2Pix on the paired toy scenes (see toy_runtime.py).
_base_ = [
    '../../_base_/models/advseg_pix2pix.py',
    '../../_base_/datasets/toy_paired.py',
    './toy_runtime.py'
]
model = dict(
    generator=dict(base_channels=32, num_blocks=6),
    adv_seg=dict(segmenter=_base_.toy_segmenter))
train_dataloader = dict(batch_size=4, num_workers=2)
val_dataloader = dict(batch_size=10, num_workers=2)
test_dataloader = val_dataloader
