# Pilot of protocol C1 (evidence_c1_shared.py; configs/toy/README.md,
# "Protocol C1"), fixed before its runs: the CycleGAN baseline on
# shared-colour scenes, 2 seeds, along the real schedule T = 1600 iterations
# (constant learning rate for 800, linear decay to 0 over the last 800),
# validated every 100. The README's plateau rule (protocol v2's) on the
# smoothed curve decides the schedule: T if the baseline has plateaued by T,
# else a pilot of 2T. Scenes, segmenters, judges and evaluation are protocol
# v2's (the same work dir: its trained segmenters are reused), so these two
# runs are the grid's baseline runs of seeds 0 and 1 when T stands.
_base_ = './evidence_v2_shared.py'
seeds = [0, 1]
iters = dict(_delete_=True, cyclegan=1600)
arms = [dict(model='cyclegan', variant='baseline')]
