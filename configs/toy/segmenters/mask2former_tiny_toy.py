# A tiny Mask2Former (~0.8 M parameters) for the procedural toy scenes:
# 3 thing classes (elephant, sheep, bird) + 3 stuff classes (sky, grass,
# water). mmdet's COCO panoptic R50 config shrunk for a CPU: ResNet-18 with
# 16 base channels (trainable BN, no ImageNet weights), 32 feature channels,
# 10 queries, 1 pixel-decoder layer with 2 points, 2 decoder layers; 64x64
# scenes without large-scale jittering; AdamW 1e-3 with warm-up and cosine
# decay (1e-4 finds no objects in 1,000 iterations; _base_/toy_panoptic.py).
#
# An mmdet config (mmdet scope; never a _base_ of an mmagic config). Train it
# with `python tools/train_segmenter.py`, which writes
# work_dirs/mask2former_tiny_toy/segmenter.pth, the checkpoint that
# FrozenPanopticSegmenter(config=this file) loads. Data: the layout of
# mmadvseg.toy.ToyScenes under `data_root`.
_base_ = [
    'mmdet::mask2former/mask2former_r50_8xb2-lsj-50e_coco-panoptic.py',
    './_base_/toy_panoptic.py'
]

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
    checkpoint=dict(interval=_base_.toy_max_iters, max_keep_ckpts=1))
randomness = dict(seed=0)
