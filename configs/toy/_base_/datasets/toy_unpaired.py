# Procedural toy scenes (tools/dataset_converters/toy_scenes.py), unpaired
# layout, 64x64: resize to 72 and an independent random 64 crop per domain.
# The test pipeline loads the labels of each sketch's scene (L1 and the real
# photo's scores only where testA and testB show the same scene).
_base_ = [
    '../../../_base_/datasets/unpaired_sketch2photo.py', '../toy_evaluator.py'
]
data_root = 'data/toy/unpaired'
load_size, crop_size = 72, 64
train_pipeline = [
    _base_.load_sketch,
    _base_.load_photo,
    dict(_base_.train_resize, scale=(load_size, load_size)),
    dict(_base_.crop_sketch, crop_size=(crop_size, crop_size)),
    dict(_base_.crop_photo, crop_size=(crop_size, crop_size)),
    _base_.flip_sketch,
    _base_.flip_photo,
    _base_.key_mapper,
    _base_.pack_inputs,
]
test_pipeline = [
    _base_.load_sketch,
    _base_.load_photo,
    dict(_base_.test_resize, scale=(crop_size, crop_size)),
    dict(type='LoadToyLabels', path_key='img_A_path',
         real_path_key='img_B_path'),
    _base_.key_mapper,
    dict(_base_.pack_inputs,
         meta_keys=['img_sketch_path', 'img_photo_path', 'gt_seg',
                    'same_scene']),
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
val_evaluator = dict(metrics=_base_.toy_metrics)
test_evaluator = val_evaluator
