# Pilot of the shared-colour evidence protocol (evidence_shared.py): the
# Pix2Pix baseline's learning curve on scenes whose classes share one colour
# range, to fix its schedule by the README's rule. The segmenters are the
# protocol's (4,000 iterations; the guide must reach mIoU 0.6 on real
# scenes). CycleGAN is cut from the shared-colour runs (see
# evidence_shared.py), so it has no pilot here.
_base_ = './pilot_distinct.py'
segmenter_iters = 4000
scenes = dict(color_mode='shared')
arms = [dict(model='pix2pix', variant='baseline', name='baseline-pilot')]
