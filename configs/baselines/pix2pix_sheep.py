_base_ = [
    '../_base_/models/pix2pix_resnet9.py', '../_base_/datasets/sheep_paired.py',
    '../_base_/schedules/adam_lr2e-4_100e-const_100e-decay.py',
    '../_base_/default_runtime.py'
]
