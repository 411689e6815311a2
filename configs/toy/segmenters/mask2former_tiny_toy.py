# A tiny Mask2Former (~0.8 M parameters) for the procedural toy scenes:
# 3 thing classes (elephant, sheep, bird) + 3 stuff classes (sky, grass,
# water), in the architecture of the COCO panoptic R50 model, shrunk for CPU.
#
# A complete, standalone mmdet training config (mmdet scope; never a _base_
# of an mmagic config). Train it with
#   python tools/train_segmenter.py configs/segmenters/mask2former_tiny_toy.py
# which writes work_dirs/mask2former_tiny_toy/segmenter.pth, the checkpoint
# that FrozenPanopticSegmenter(config=this file) loads. Data: the layout of
# mmadvseg.datasets.generate_toy_scenes (tools/dataset_converters/
# toy_scenes.py) under `data_root`; 64x64 scenes, the size of the toy GANs.
default_scope = 'mmdet'

num_things_classes = 3
num_stuff_classes = 3
num_classes = num_things_classes + num_stuff_classes

model = dict(
    type='Mask2Former',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32,
        pad_mask=True,
        mask_pad_value=0,
        pad_seg=True,
        seg_pad_value=255),
    backbone=dict(
        type='ResNet',
        depth=18,
        base_channels=16,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=None),
    panoptic_head=dict(
        type='Mask2FormerHead',
        in_channels=[16, 32, 64, 128],
        strides=[4, 8, 16, 32],
        feat_channels=32,
        out_channels=32,
        num_things_classes=num_things_classes,
        num_stuff_classes=num_stuff_classes,
        num_queries=10,
        num_transformer_feat_level=3,
        enforce_decoder_input_project=False,
        pixel_decoder=dict(
            type='MSDeformAttnPixelDecoder',
            num_outs=3,
            norm_cfg=dict(type='GN', num_groups=8),
            act_cfg=dict(type='ReLU'),
            encoder=dict(
                num_layers=1,
                layer_cfg=dict(
                    self_attn_cfg=dict(
                        embed_dims=32,
                        num_heads=8,
                        num_levels=3,
                        num_points=2,
                        dropout=0.0,
                        batch_first=True),
                    ffn_cfg=dict(
                        embed_dims=32,
                        feedforward_channels=64,
                        num_fcs=2,
                        ffn_drop=0.0,
                        act_cfg=dict(type='ReLU', inplace=True)))),
            positional_encoding=dict(num_feats=16, normalize=True)),
        positional_encoding=dict(num_feats=16, normalize=True),
        transformer_decoder=dict(
            num_layers=2,
            return_intermediate=True,
            layer_cfg=dict(
                self_attn_cfg=dict(
                    embed_dims=32, num_heads=8, dropout=0.0,
                    batch_first=True),
                cross_attn_cfg=dict(
                    embed_dims=32, num_heads=8, dropout=0.0,
                    batch_first=True),
                ffn_cfg=dict(
                    embed_dims=32,
                    feedforward_channels=64,
                    num_fcs=2,
                    ffn_drop=0.0,
                    act_cfg=dict(type='ReLU', inplace=True))),
            init_cfg=None),
        loss_cls=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=2.0,
            reduction='mean',
            class_weight=[1.0] * num_classes + [0.1]),
        loss_mask=dict(
            type='CrossEntropyLoss',
            use_sigmoid=True,
            reduction='mean',
            loss_weight=5.0),
        loss_dice=dict(
            type='DiceLoss',
            use_sigmoid=True,
            activate=True,
            reduction='mean',
            naive_dice=True,
            eps=1.0,
            loss_weight=5.0)),
    panoptic_fusion_head=dict(
        type='MaskFormerFusionHead',
        num_things_classes=num_things_classes,
        num_stuff_classes=num_stuff_classes,
        loss_panoptic=None,
        init_cfg=None),
    # Hungarian matching + mask point sampling (~1,024 points suit 64 px)
    train_cfg=dict(
        num_points=1024,
        oversample_ratio=3.0,
        importance_sample_ratio=0.75,
        assigner=dict(
            type='HungarianAssigner',
            match_costs=[
                dict(type='ClassificationCost', weight=2.0),
                dict(
                    type='CrossEntropyLossCost', weight=5.0,
                    use_sigmoid=True),
                dict(type='DiceCost', weight=5.0, pred_act=True, eps=1.0)
            ]),
        sampler=dict(type='MaskPseudoSampler')),
    test_cfg=dict(
        panoptic_on=True,
        semantic_on=False,
        instance_on=False,
        max_per_image=100,
        iou_thr=0.8,
        filter_low_score=True),
    init_cfg=None)

# Toy scenes (mmadvseg.datasets.toy_scenes.TOY_METAINFO, spelled out: a
# config file cannot import it without switching to the lazy config style)
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

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/panoptic_train.json',
        data_prefix=dict(img='images/train/', seg='panoptic/train/'),
        metainfo=metainfo,
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/panoptic_test.json',
        data_prefix=dict(img='images/test/', seg='panoptic/test/'),
        metainfo=metainfo,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# PQ / SQ / RQ with panopticapi (tools/train_segmenter.py re-points the paths
# when it is given another data root)
val_evaluator = dict(
    type='CocoPanopticMetric',
    ann_file=data_root + 'annotations/panoptic_test.json',
    seg_prefix=data_root + 'panoptic/test/',
    backend_args=None)
test_evaluator = val_evaluator

# AdamW 1e-3 (1e-4 finds no objects in 1,000 iterations), linear warm-up and
# cosine decay, iteration based
max_iters = 1000
optim_wrapper = dict(
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
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=max_iters,
        max_keep_ckpts=1,
        save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='DetVisualizationHook'))
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='DetLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
log_level = 'INFO'
randomness = dict(seed=0)
load_from = None
resume = False
