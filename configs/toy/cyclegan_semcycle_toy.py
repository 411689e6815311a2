# CycleGAN with the semantic cycle loss alone (no seg discriminator): the
# guide's class probabilities of G_A(G_B(b)) against those of the real
# photo b (SemanticCycleLoss, cross-entropy, weight 1).
_base_ = './_base_/cyclegan_toy.py'
model = dict(adv_seg=dict(variant='semcycle'))
