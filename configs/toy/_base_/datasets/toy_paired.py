# Procedural toy scenes (tools/dataset_converters/toy_scenes.py), paired
# layout, 64x64: resize to 72 and crop 64 (the 286/256 ratio of the real
# datasets). The test pipeline loads the scenes' labels for evaluation;
# SegConsistency compares the evaluation segmenter's maps of fake and real.
_base_ = [
    '../../../_base_/datasets/paired_sketch2photo.py', '../toy_evaluator.py'
]
data_root = 'data/toy/paired'
load_size, crop_size = 72, 64
train_pipeline = [
    _base_.load_pair,
    dict(_base_.train_resize, scale=(load_size, load_size)),
    dict(_base_.train_crop, crop_size=(crop_size, crop_size)),
    _base_.flip,
    _base_.key_mapper,
    _base_.pack_inputs,
]
test_pipeline = [
    _base_.load_pair,
    dict(_base_.test_resize, scale=(crop_size, crop_size)),
    dict(type='LoadToyLabels', path_key='pair_path'),
    _base_.key_mapper,
    dict(_base_.pack_inputs, meta_keys=['pair_path', 'gt_seg']),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=10,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(metrics=_base_.toy_metrics + [
    dict(
        type='SegConsistency',
        prefix='SegCons',
        segmenter=_base_.eval_segmenter,
        fake_key='fake_photo',
        real_key='img_photo')
])
test_evaluator = val_evaluator
