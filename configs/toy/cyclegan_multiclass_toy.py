_base_ = './_base_/cyclegan_toy.py'
model = dict(adv_seg=dict(variant='multiclass'))
