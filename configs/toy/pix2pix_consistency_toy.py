_base_ = './_base_/pix2pix_toy.py'
model = dict(adv_seg=dict(variant='consistency'))
