# Protocol v2, primary grid (fixed before any of its runs; configs/toy/
# README.md, "Protocol v2"): is the *adversarial* segmentation loss what
# helps Pix2Pix on shared-colour scenes, at a schedule where the baseline
# has converged? Arms: the baseline; AdvSegLoss *both* conditioned (the
# default); the non-adversarial control (SemanticConsistencyLoss with the
# same guide); both + consistency. 5 seeds, exact pairing (common random
# numbers, deterministic evaluation). Primary metric: the judge's mIoU
# averaged over the last 3 validations. Holm and Bonferroni over the 5
# comparisons of protocol v2 (3 here, 2 in evidence_v2_distinct.py).
_base_ = './pilot_v2_shared.py'
seeds = [0, 1, 2, 3, 4]
# Set from the pilot by the README's rule, before any run of this grid:
# smoothed baseline judge mIoU (2 seeds, trailing 3-validation mean) .390 at
# 2000, .387 at 1500 (rise +.003 < .02), maximum .405 (within .02): the
# baseline has plateaued at T = 2000.
iters = dict(_delete_=True, pix2pix=2000)
comparisons = 5
# sensitivity (added before the first run of this grid, as the README's
# protocol says): a second judge (the judge's recipe, training seed 3);
# every judge score is also given with void pixels as errors and left out
second_judge = True
arms = [
    dict(model='pix2pix', variant='baseline'),
    dict(model='pix2pix', variant='both', name='both-conditioned'),
    dict(model='pix2pix', variant='consistency', name='consistency'),
    dict(model='pix2pix', variant='both', name='both-consistency',
         overrides={'model.adv_seg.consistency': {}}),
]
