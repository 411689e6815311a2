# Procedural toy scenes (tools/dataset_converters/toy_scenes.py), unpaired
# layout, 64x64: resize to 72 and an independent random 64 crop per domain.
# Evaluation: FID/KID and the semantic accuracy of the translated sketches
# (ToySemanticAccuracy with the independent evaluation segmenter, see
# toy_paired.py; L1 against the photo of the same scene, which testA/testB
# share by name).
_base_ = './unpaired_sketch2photo.py'
data_root = 'data/toy/unpaired'
train_pipeline = _base_.train_pipeline
train_pipeline[2].scale = (72, 72)
train_pipeline[3].crop_size = (64, 64)
train_pipeline[4].crop_size = (64, 64)
test_pipeline = _base_.test_pipeline
test_pipeline[2].scale = (64, 64)
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
            real_key='img_photo',
            path_keys=['img_sketch_path'])
    ])
test_evaluator = val_evaluator
