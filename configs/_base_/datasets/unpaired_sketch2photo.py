# Unpaired sketch <-> photo data: `data_root/{trainA,testA}` sketches and
# `data_root/{trainB,testB}` photos. Training: resize to 286, then an
# independent random 256 crop and horizontal flip per domain; test: resize to
# 256. Per-dataset files set `data_root` only; the steps are named so that a
# variant can rebuild a pipeline from them (configs/toy). Loading is mmagic's,
# naming any file it cannot load (mmadvseg.datasets.transforms;
# tools/train.py --skip-unreadable skips them).
_base_ = './sketch2photo_dataloaders.py'
dataset_type = 'UnpairedImageDataset'
key_mapper = dict(
    type='KeyMapper',
    mapping=dict(
        img_sketch='img_A',
        img_photo='img_B',
        img_sketch_path='img_A_path',
        img_photo_path='img_B_path'),
    remapping=dict(
        img_sketch='img_sketch',
        img_photo='img_photo',
        img_sketch_path='img_sketch_path',
        img_photo_path='img_photo_path'))
pack_inputs = dict(
    type='PackInputs',
    keys=['img_sketch', 'img_photo'],
    data_keys=['img_sketch', 'img_photo'],
    meta_keys=['img_sketch_path', 'img_photo_path'])
load_sketch = dict(
    type='CheckedLoadImageFromFile', key='img_A', color_type='color')
load_photo = dict(load_sketch, key='img_B')
train_resize = dict(
    type='Resize',
    keys=['img_A', 'img_B'],
    scale=(286, 286),
    interpolation='bicubic')
crop_sketch = dict(
    type='Crop', keys=['img_A'], crop_size=(256, 256), random_crop=True)
crop_photo = dict(crop_sketch, keys=['img_B'])
flip_sketch = dict(type='Flip', keys=['img_A'], direction='horizontal')
flip_photo = dict(flip_sketch, keys=['img_B'])
test_resize = dict(train_resize, scale=(256, 256))
train_pipeline = [
    load_sketch, load_photo, train_resize, crop_sketch, crop_photo,
    flip_sketch, flip_photo, key_mapper, pack_inputs
]
test_pipeline = [load_sketch, load_photo, test_resize, key_mapper, pack_inputs]

train_dataloader = dict(
    dataset=dict(type=dataset_type, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(type=dataset_type, pipeline=test_pipeline))
test_dataloader = val_dataloader

# FID/KID as pytorch-fid computes them (its Inception weights are fetched
# into $TORCH_HOME/hub/checkpoints on first use unless MMADVSEG_OFFLINE=1).
val_evaluator = dict(
    type='Evaluator',
    metrics=[
        dict(
            type='AdvSegFIDKID',
            prefix='FID',
            fake_key='fake_photo',
            real_key='img_photo',
            allow_download=True)
    ])
test_evaluator = val_evaluator
