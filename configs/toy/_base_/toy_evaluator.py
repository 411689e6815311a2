# Evaluation of the toy GANs, shared by the paired and unpaired toy data:
# FID/KID, and the semantic accuracy of the colorizations against the
# scenes' ground truth (ToySemanticAccuracy: labels from LoadToyLabels in the
# test pipeline), measured by the independent *evaluation* segmenter (the
# wider tiny Mask2Former, another seed; never the one that guides training).
# The toy experiment (mmadvseg.toy) re-points both checkpoints.
eval_segmenter = dict(
    type='FrozenPanopticSegmenter',
    config='configs/toy/segmenters/mask2former_tiny-wide_toy.py',
    checkpoint='work_dirs/mask2former_tiny-wide_toy/segmenter.pth')
toy_metrics = [
    dict(
        type='AdvSegFIDKID',
        prefix='FID',
        fake_key='fake_photo',
        real_key='img_photo'),
    dict(
        type='ToySemanticAccuracy',
        prefix='Toy',
        segmenter=eval_segmenter,
        fake_key='fake_photo',
        real_key='img_photo')
]
