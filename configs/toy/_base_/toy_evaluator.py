# The toy segmenters and the evaluation of the toy GANs, shared by the paired
# and unpaired toy data. The experiment (mmadvseg.toy) re-points each
# segmenter's checkpoint to the one it trained.
#
# guide: the tiny Mask2Former that AdvSegLoss trains with (configs/toy/_base_/
#   {pix2pix,cyclegan}_toy.py); never used to measure.
# eval_segmenter: a wider Mask2Former, another seed, the same scenes.
# judge: a tiny Panoptic FPN (another family), trained on scenes of another
#   seed than the guide's: the primary judge.
toy_segmenter = dict(
    type='FrozenPanopticSegmenter',
    config='configs/toy/segmenters/mask2former_tiny_toy.py',
    checkpoint='work_dirs/mask2former_tiny_toy/segmenter.pth')
eval_segmenter = dict(
    type='FrozenPanopticSegmenter',
    config='configs/toy/segmenters/mask2former_tiny-wide_toy.py',
    checkpoint='work_dirs/mask2former_tiny-wide_toy/segmenter.pth')
judge = dict(
    type='PanopticJudge',
    config='configs/toy/segmenters/panoptic_fpn_tiny_toy.py',
    checkpoint='work_dirs/panoptic_fpn_tiny_toy/segmenter.pth')
# the scenes' labels against each segmenter's labels of the generated
# images (ToySemanticAccuracy; labels from LoadToyLabels), Judge/mIoU first
toy_metrics = [
    dict(type='ToySemanticAccuracy', prefix='Judge', segmenter=judge),
    dict(type='ToySemanticAccuracy', prefix='Toy', segmenter=eval_segmenter),
    dict(type='ToySemanticAccuracy', prefix='Guide', segmenter=toy_segmenter),
    # no learned part; distinct-colour scenes only
    dict(
        type='ToySemanticAccuracy',
        prefix='Colour',
        segmenter=dict(type='ColourRangeJudge')),
    # realism: Fréchet distance in the judge's features, and FID/KID
    dict(type='FeatureFrechetDistance', prefix='JudgeFD', segmenter=judge),
    dict(type='AdvSegFIDKID', prefix='FID'),
]
