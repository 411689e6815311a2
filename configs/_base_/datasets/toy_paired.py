# Procedural toy scenes (tools/dataset_converters/toy_scenes.py), 64x64:
# resize to 72 and crop 64 (the 286/256 ratio of the real datasets).
# Evaluation: FID/KID, and semantic accuracy of the colorization measured by
# the independent *evaluation* segmenter (the wider tiny Mask2Former, another
# seed; never the one that guides training) against the ground-truth labels
# (ToySemanticAccuracy) and against its own segmentation of the real photo
# (SegConsistency).
_base_ = './paired_sketch2photo.py'
data_root = 'data/toy/paired'
train_pipeline = _base_.train_pipeline
train_pipeline[1].scale = (72, 72)
train_pipeline[2].crop_size = (64, 64)
test_pipeline = _base_.test_pipeline
test_pipeline[1].scale = (64, 64)
train_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
eval_segmenter = dict(
    type='FrozenPanopticSegmenter',
    config='configs/segmenters/mask2former_tiny-wide_toy.py',
    checkpoint='work_dirs/mask2former_tiny-wide_toy/segmenter.pth')
val_evaluator = dict(
    type='Evaluator',
    metrics=[
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
            real_key='img_photo'),
        dict(
            type='SegConsistency',
            prefix='SegCons',
            segmenter=eval_segmenter,
            fake_key='fake_photo',
            real_key='img_photo')
    ])
test_evaluator = val_evaluator
