# The independent *evaluation* segmenter of the toy experiments: the tiny
# Mask2Former with a backbone twice as wide (ResNet-18, 32 base channels,
# ~2.9 M parameters in all) and another seed. It never guides GAN training;
# it only measures the semantic accuracy of generated images
# (configs/_base_/datasets/toy_*.py, tools/analysis/toy_benchmark.py).
_base_ = './mask2former_tiny_toy.py'

model = dict(
    backbone=dict(base_channels=32),
    panoptic_head=dict(in_channels=[32, 64, 128, 256]))
randomness = dict(seed=1)
