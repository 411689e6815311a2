# Protocol v2, secondary grid (fixed before any of its runs; run after the
# shared-colour grid): the same question on distinct-colour scenes, where
# colours give the classes away. Arms: baseline, both conditioned,
# consistency; the schedule of the primary grid; Holm and Bonferroni over
# the 5 comparisons of protocol v2.
_base_ = './evidence_v2_shared.py'
scenes = dict(color_mode='distinct')
arms = [
    dict(model='pix2pix', variant='baseline'),
    dict(model='pix2pix', variant='both', name='both-conditioned'),
    dict(model='pix2pix', variant='consistency', name='consistency'),
]
