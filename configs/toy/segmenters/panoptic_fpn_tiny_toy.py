# A tiny Panoptic FPN for the procedural toy scenes: the *judge* of the toy
# experiments, a segmenter of another family than the Mask2Former guide (the
# AdvSegLoss paper's own segmenter family), trained on scenes of another
# seed, used through its plain argmax prediction (no gradient needed).
# mmdet's COCO Panoptic FPN R50 config shrunk for a CPU: ResNet-18 with 16
# base channels (no ImageNet weights), a 32-channel FPN, anchors and
# proposal counts for 64x64 scenes, stuff areas down to 16 pixels.
_base_ = [
    'mmdet::panoptic_fpn/panoptic-fpn_r50_fpn_1x_coco.py',
    './_base_/toy_panoptic.py'
]
num_things_classes = 3
num_stuff_classes = 3
channels = 32
model = dict(
    backbone=dict(
        depth=18,
        base_channels=16,
        frozen_stages=-1,
        norm_eval=False,
        init_cfg=None),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=channels),
    rpn_head=dict(
        in_channels=channels,
        feat_channels=channels,
        anchor_generator=dict(scales=[4])),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=channels),
        bbox_head=dict(
            in_channels=channels,
            fc_out_channels=128,
            num_classes=num_things_classes),
        mask_roi_extractor=dict(out_channels=channels),
        mask_head=dict(
            num_convs=2,
            in_channels=channels,
            conv_out_channels=channels,
            num_classes=num_things_classes)),
    semantic_head=dict(
        num_things_classes=num_things_classes,
        num_stuff_classes=num_stuff_classes,
        in_channels=channels,
        inner_channels=channels,
        norm_cfg=dict(num_groups=8)),
    panoptic_fusion_head=dict(
        num_things_classes=num_things_classes,
        num_stuff_classes=num_stuff_classes),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=200, max_per_img=100),
        rcnn=dict(sampler=dict(num=128))),
    test_cfg=dict(
        rpn=dict(nms_pre=200, max_per_img=100),
        panoptic=dict(stuff_area_limit=16)))

train_dataloader = dict(_delete_=True, **_base_.toy_train_dataloader)
val_dataloader = dict(_delete_=True, **_base_.toy_val_dataloader)
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, **_base_.toy_val_evaluator)
test_evaluator = val_evaluator
optim_wrapper = dict(_delete_=True, **_base_.toy_optim_wrapper)
param_scheduler = _base_.toy_param_scheduler
train_cfg = dict(_delete_=True, **_base_.toy_train_cfg)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(
        by_epoch=False,
        interval=_base_.toy_max_iters,
        max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=2)
