# The toy scenes as mmdet panoptic data, and a short CPU schedule, shared by
# the toy segmenters. Every key is prefixed `toy_`: this file is a sibling
# of an mmdet config among a segmenter's bases, and sibling bases may not
# define the same key; the segmenter configs assign them (with _delete_).
#
# Data: the layout of mmadvseg.toy.ToyScenes under `data_root`; classes as
# mmadvseg.toy.TOY_METAINFO (spelled out: a config file cannot import it
# without switching to the lazy config style).
toy_data_root = 'data/toy/'
toy_metainfo = dict(
    classes=('elephant', 'sheep', 'bird', 'sky', 'grass', 'water'),
    thing_classes=('elephant', 'sheep', 'bird'),
    stuff_classes=('sky', 'grass', 'water'),
    palette=[(128, 128, 128), (240, 230, 200), (220, 40, 30),
             (135, 190, 240), (60, 160, 60), (20, 110, 130)])
toy_split = dict(
    type='CocoPanopticDataset', data_root=toy_data_root,
    metainfo=toy_metainfo)
toy_train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        toy_split,
        ann_file='annotations/panoptic_train.json',
        data_prefix=dict(img='images/train/', seg='panoptic/train/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(
                type='LoadPanopticAnnotations',
                with_bbox=True,
                with_mask=True,
                with_seg=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='PackDetInputs')
        ]))
toy_val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        toy_split,
        ann_file='annotations/panoptic_test.json',
        data_prefix=dict(img='images/test/', seg='panoptic/test/'),
        test_mode=True,
        pipeline=[
            dict(type='LoadImageFromFile'),
            # no resizing; records the scale factor (1) that two-stage
            # detectors' mask heads read
            dict(type='Resize', scale_factor=1.0),
            dict(type='LoadPanopticAnnotations'),
            dict(
                type='PackDetInputs',
                meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                           'scale_factor'))
        ]))
# PQ / SQ / RQ with panopticapi (mmadvseg.toy re-points the paths)
toy_val_evaluator = dict(
    type='CocoPanopticMetric',
    ann_file=toy_data_root + 'annotations/panoptic_test.json',
    seg_prefix=toy_data_root + 'panoptic/test/',
    backend_args=None)
# AdamW 1e-3, linear warm-up and cosine decay, iteration based
toy_max_iters = 1000
toy_optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=1.0, norm_type=2))
toy_param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        by_epoch=False,
        begin=50,
        end=toy_max_iters)
]
toy_train_cfg = dict(
    type='IterBasedTrainLoop',
    max_iters=toy_max_iters,
    val_interval=toy_max_iters)
