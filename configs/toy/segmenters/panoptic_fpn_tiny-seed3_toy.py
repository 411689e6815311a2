# A second instance of the toy *judge*: the same recipe as
# panoptic_fpn_tiny_toy.py (the same scenes, schedule and architecture),
# trained from another seed. Scored beside the first judge, it shows how
# much a result depends on one judge's training run.
_base_ = './panoptic_fpn_tiny_toy.py'

randomness = dict(seed=3)
