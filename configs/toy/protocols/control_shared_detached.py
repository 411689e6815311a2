# A control added after the shared-colour results (evidence_shared.py; not
# part of its planned comparisons): Pix2Pix *both* with the released code's
# maps, hard and detached (no gradient from the seg terms reaches the
# generator), beside the same baseline runs (reused: same settings). It
# should match the baseline: the seg terms can only help through the
# gradient the released code cuts.
_base_ = './evidence_shared.py'
arms = [
    dict(model='pix2pix', variant='baseline'),
    dict(model='pix2pix', variant='both', name='both-detached',
         overrides={'model.adv_seg.map_mode': 'detached'}),
]
