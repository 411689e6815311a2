# A tiny Mask2Former (~0.8 M parameters) for the procedural toy scenes:
# 3 thing classes (elephant, sheep, bird) + 3 stuff classes (sky, grass,
# water). mmdet's COCO panoptic R50 config shrunk for a CPU: ResNet-18 with
# 16 base channels (trainable BN, no ImageNet weights), 32 feature channels,
# 10 queries, 1 pixel-decoder layer with 2 points, 2 decoder layers; 64x64
# scenes without large-scale jittering; AdamW 1e-3 with warm-up and cosine
# decay (1e-4 finds no objects in 1,000 iterations).
#
# An mmdet config (mmdet scope; never a _base_ of an mmagic config). Train it
# with `python tools/train_segmenter.py`, which writes
# work_dirs/mask2former_tiny_toy/segmenter.pth, the checkpoint that
# FrozenPanopticSegmenter(config=this file) loads. Data: the layout of
# mmadvseg.toy.ToyScenes under `data_root`.
_base_ = 'mmdet::mask2former/mask2former_r50_8xb2-lsj-50e_coco-panoptic.py'

num_things_classes = 3
num_stuff_classes = 3
num_classes = num_things_classes + num_stuff_classes
embed_dims = 32
attn = dict(embed_dims=embed_dims, num_heads=8, dropout=0.0)
ffn = dict(embed_dims=embed_dims, feedforward_channels=64)

model = dict(
    data_preprocessor=dict(batch_augments=None),
    backbone=dict(
        depth=18,
        base_channels=16,
        norm_cfg=dict(requires_grad=True),
        norm_eval=False,
        init_cfg=None),
    panoptic_head=dict(
        in_channels=[16, 32, 64, 128],
        feat_channels=embed_dims,
        out_channels=embed_dims,
        num_things_classes=num_things_classes,
        num_stuff_classes=num_stuff_classes,
        num_queries=10,
        pixel_decoder=dict(
            norm_cfg=dict(num_groups=8),
            encoder=dict(
                num_layers=1,
                layer_cfg=dict(
                    self_attn_cfg=dict(attn, num_levels=3, num_points=2),
                    ffn_cfg=ffn)),
            positional_encoding=dict(num_feats=embed_dims // 2)),
        positional_encoding=dict(num_feats=embed_dims // 2),
        transformer_decoder=dict(
            num_layers=2,
            layer_cfg=dict(
                self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn)),
        loss_cls=dict(class_weight=[1.0] * num_classes + [0.1])),
    panoptic_fusion_head=dict(
        num_things_classes=num_things_classes,
        num_stuff_classes=num_stuff_classes),
    # mask point sampling: ~1,024 points suit 64 px
    train_cfg=dict(num_points=1024),
    test_cfg=dict(instance_on=False))

# Toy scenes (mmadvseg.toy.TOY_METAINFO, spelled out: a config file cannot
# import it without switching to the lazy config style)
dataset_type = 'CocoPanopticDataset'
data_root = 'data/toy/'
metainfo = dict(
    classes=('elephant', 'sheep', 'bird', 'sky', 'grass', 'water'),
    thing_classes=('elephant', 'sheep', 'bird'),
    stuff_classes=('sky', 'grass', 'water'),
    palette=[(128, 128, 128), (240, 230, 200), (220, 40, 30),
             (135, 190, 240), (60, 160, 60), (20, 110, 130)])
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='LoadPanopticAnnotations',
        with_bbox=True,
        with_mask=True,
        with_seg=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPanopticAnnotations'),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
split = dict(type=dataset_type, data_root=data_root, metainfo=metainfo)
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=None,  # square scenes: no aspect-ratio grouping
    dataset=dict(
        split,
        ann_file='annotations/panoptic_train.json',
        data_prefix=dict(img='images/train/', seg='panoptic/train/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    dataset=dict(
        split,
        ann_file='annotations/panoptic_test.json',
        data_prefix=dict(img='images/test/', seg='panoptic/test/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# PQ / SQ / RQ with panopticapi (mmadvseg.toy re-points the paths)
val_evaluator = dict(
    _delete_=True,
    type='CocoPanopticMetric',
    ann_file=data_root + 'annotations/panoptic_test.json',
    seg_prefix=data_root + 'panoptic/test/',
    backend_args=None)
test_evaluator = val_evaluator

max_iters = 1000
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        by_epoch=False,
        begin=50,
        end=max_iters)
]
train_cfg = dict(
    max_iters=max_iters, val_interval=max_iters, dynamic_intervals=None)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1))
randomness = dict(seed=0)
