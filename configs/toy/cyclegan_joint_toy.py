# CycleGAN with joint (sketch, map) seg discriminators, both terms: real
# pairs (G_B(b), guide(b)), fake pairs (a, guide(G_A(a))); the map buffer
# keeps each map with its sketch.
_base_ = './_base_/cyclegan_toy.py'
model = dict(adv_seg=dict(variant='both', condition='source'))
