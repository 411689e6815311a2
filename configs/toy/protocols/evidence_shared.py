# The AdvSegLoss evidence protocol on shared-colour scenes (fixed before
# the runs; configs/toy/README.md says why each choice): the arms, seeds,
# pairing and primary metric of evidence_distinct.py on scenes whose
# classes share one colour range. Segmenters: 4,000 iterations (the guide
# must reach mIoU 0.6 on real scenes). The schedule (`iters`) follows the
# pilot (pilot_distinct.py) by the rule in the README.
_base_ = './evidence_distinct.py'
iters = None  # set from the pilot, before any run of this protocol
segmenter_iters = 4000
scenes = dict(color_mode='shared')
