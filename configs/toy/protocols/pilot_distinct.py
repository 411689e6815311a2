# Pilot of the AdvSegLoss evidence protocol (configs/toy/README.md): the
# baselines' learning curves on distinct-colour scenes, to fix the schedule
# of the main runs by the rule written there. One seed, validation every 100
# iterations (no comparison is drawn from it).
seeds = [0]
iters = 800
val_interval = 100
batch_size = 4
segmenter_iters = 1000
scenes = dict(color_mode='distinct', num_train=500, num_test=100, size=64)
# named apart from the evidence runs, which share the data and segmenters
arms = [
    dict(model='pix2pix', variant='baseline', name='baseline-pilot'),
    dict(model='cyclegan', variant='baseline', name='baseline-pilot'),
]
primary_metric = 'Judge/mIoU'
work_dir = 'work_dirs/toy_evidence'
