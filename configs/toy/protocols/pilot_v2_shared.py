# Pilot of protocol v2 (evidence_v2_shared.py; configs/toy/README.md,
# "Protocol v2"), fixed before its runs: the Pix2Pix baseline on
# shared-colour scenes, 2 seeds, along the real schedule T = 2000
# iterations (constant learning rate for 1000, linear decay to 0 over the
# last 1000), validated every 100. The README's plateau rule on the
# smoothed curve of these runs decides the protocol's schedule: T if the
# baseline has plateaued by T, else a pilot of 2T.
seeds = [0, 1]
iters = dict(pix2pix=2000)
val_interval = 100
batch_size = 4
segmenter_iters = 4000
grad_norm_interval = 25
scenes = dict(color_mode='shared', num_train=500, num_test=100, size=64)
arms = [dict(model='pix2pix', variant='baseline')]
primary_metric = 'Judge/mIoU@last3'
work_dir = 'work_dirs/toy_evidence_v2'
