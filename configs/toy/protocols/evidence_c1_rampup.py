# Protocol C1, ramp-up grid (fixed before its runs; run after the primary
# grid): the arm of evidence_c1_shared.py with the highest mean primary
# metric (one of both-soft, semcycle, joint; whether or not it beat the
# baseline), its seg terms' weight ramped up linearly from 0 over the first
# quarter of training (adv_seg.ramp_up = 0.25), against the same baseline
# runs (reused: same settings). The arm is added below from the primary
# grid's table by that rule, before any run of this grid, as
#   dict(model='cyclegan', variant=<its variant>, name='<arm>-ramp',
#        overrides={'model.adv_seg.ramp_up': 0.25})
_base_ = './evidence_c1_shared.py'
arms = [
    dict(model='cyclegan', variant='baseline'),
]
