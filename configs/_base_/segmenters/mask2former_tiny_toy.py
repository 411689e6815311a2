# The tiny Mask2Former trained on the toy scenes (3 things + 3 stuff) by
#   python tools/train_segmenter.py configs/segmenters/mask2former_tiny_toy.py
# (written to work_dirs/mask2former_tiny_toy/segmenter.pth). It guides the
# toy GANs; their evaluation uses another one (configs/_base_/datasets/toy_*).
segmenter = dict(
    type='FrozenPanopticSegmenter',
    config='configs/segmenters/mask2former_tiny_toy.py',
    checkpoint='work_dirs/mask2former_tiny_toy/segmenter.pth')
