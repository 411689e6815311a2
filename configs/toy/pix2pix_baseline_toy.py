# pix2pix baseline on the toy scenes (no AdvSegLoss).
_base_ = './_base_/pix2pix_toy.py'
model = dict(adv_seg=None)
