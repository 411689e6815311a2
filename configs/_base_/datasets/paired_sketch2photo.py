# Paired sketch -> photo data: `data_root/{train,test}/*.png`, each an A|B
# image (A = sketch on the left, B = photo on the right). Training: resize
# to 286, random 256 crop and horizontal flip shared by both halves; test:
# resize to 256. Per-dataset files set `data_root` only; the steps are named
# so that a variant can rebuild a pipeline from them (configs/toy). Loading
# is mmagic's, naming any file it cannot load (mmadvseg.datasets.transforms;
# tools/train.py --skip-unreadable skips them).
_base_ = './sketch2photo_dataloaders.py'
dataset_type = 'PairedImageDataset'
key_mapper = dict(
    type='KeyMapper',
    mapping=dict(img_sketch='img_A', img_photo='img_B'),
    remapping=dict(img_sketch='img_sketch', img_photo='img_photo'))
pack_inputs = dict(
    type='PackInputs',
    keys=['img_sketch', 'img_photo'],
    data_keys=['img_sketch', 'img_photo'],
    meta_keys=['pair_path'])
load_pair = dict(
    type='CheckedLoadPairedImageFromFile',
    key='pair',
    domain_a='A',
    domain_b='B',
    color_type='color')
train_resize = dict(
    type='Resize',
    keys=['img_A', 'img_B'],
    scale=(286, 286),
    interpolation='bicubic')
train_crop = dict(type='FixedCrop', keys=['img_A', 'img_B'], crop_size=(256, 256))
flip = dict(type='Flip', keys=['img_A', 'img_B'], direction='horizontal')
test_resize = dict(train_resize, scale=(256, 256))
train_pipeline = [
    load_pair, train_resize, train_crop, flip, key_mapper, pack_inputs
]
test_pipeline = [load_pair, test_resize, key_mapper, pack_inputs]

train_dataloader = dict(
    dataset=dict(type=dataset_type, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(type=dataset_type, pipeline=test_pipeline))
test_dataloader = val_dataloader

# FID/KID as pytorch-fid computes them (its Inception weights are fetched
# into $TORCH_HOME/hub/checkpoints on first use unless MMADVSEG_OFFLINE=1),
# and whether the colorization keeps the scene's semantics (segmentation of
# fake vs real, Mask2Former R50 COCO panoptic by default).
val_evaluator = dict(
    type='Evaluator',
    metrics=[
        dict(
            type='AdvSegFIDKID',
            prefix='FID',
            fake_key='fake_photo',
            real_key='img_photo',
            allow_download=True),
        dict(
            type='SegConsistency',
            prefix='SegCons',
            segmenter=dict(type='FrozenPanopticSegmenter'),
            fake_key='fake_photo',
            real_key='img_photo')
    ])
test_evaluator = val_evaluator
