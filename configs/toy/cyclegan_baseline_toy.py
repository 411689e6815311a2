# cyclegan baseline on the toy scenes (no AdvSegLoss).
_base_ = './_base_/cyclegan_toy.py'
model = dict(adv_seg=None)
