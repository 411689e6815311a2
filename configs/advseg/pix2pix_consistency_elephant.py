_base_ = [
    '../_base_/models/advseg_pix2pix.py', '../_base_/datasets/elephant_paired.py',
    '../_base_/schedules/adam_lr2e-4_100e-const_100e-decay.py',
    '../_base_/default_runtime.py'
]
model = dict(adv_seg=dict(variant='consistency'))
