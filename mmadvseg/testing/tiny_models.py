# Copyright (c) mmadvseg contributors. All rights reserved.
from typing import Optional


def tiny_mask2former_cfg(num_things: int = 80,
                         num_stuff: int = 53,
                         with_train_cfg: bool = False) -> dict:
    """An mmdet Mask2Former model dict with ~0.8 M parameters.

    Same architecture family as the R50 COCO panoptic model (ResNet backbone,
    multi-scale deformable-attention pixel decoder, masked-attention
    transformer decoder), shrunk for CPU: ResNet-18 with 16 base channels,
    32 feature channels, 10 queries, 1 encoder and 2 decoder layers.

    Args:
        num_things (int): Number of thing classes. Defaults to 80 (COCO).
        num_stuff (int): Number of stuff classes. Defaults to 53 (COCO).
        with_train_cfg (bool): Add the Hungarian-assigner training config so
            the model can be trained with mmdet. Defaults to False.

    Returns:
        dict: A model dict for mmdet's ``MODELS`` (``data_preprocessor``
        included).
    """
    num_classes = num_things + num_stuff
    feat = 32
    train_cfg = None
    if with_train_cfg:
        train_cfg = dict(
            num_points=1024,
            oversample_ratio=3.0,
            importance_sample_ratio=0.75,
            assigner=dict(
                type='HungarianAssigner',
                match_costs=[
                    dict(type='ClassificationCost', weight=2.0),
                    dict(
                        type='CrossEntropyLossCost',
                        weight=5.0,
                        use_sigmoid=True),
                    dict(type='DiceCost', weight=5.0, pred_act=True, eps=1.0)
                ]),
            sampler=dict(type='MaskPseudoSampler'))
    return dict(
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
            feat_channels=feat,
            out_channels=feat,
            num_things_classes=num_things,
            num_stuff_classes=num_stuff,
            num_queries=10,
            num_transformer_feat_level=3,
            pixel_decoder=dict(
                type='MSDeformAttnPixelDecoder',
                num_outs=3,
                norm_cfg=dict(type='GN', num_groups=8),
                act_cfg=dict(type='ReLU'),
                encoder=dict(
                    num_layers=1,
                    layer_cfg=dict(
                        self_attn_cfg=dict(
                            embed_dims=feat,
                            num_heads=8,
                            num_levels=3,
                            num_points=2,
                            dropout=0.0,
                            batch_first=True),
                        ffn_cfg=dict(
                            embed_dims=feat,
                            feedforward_channels=64,
                            num_fcs=2,
                            ffn_drop=0.0,
                            act_cfg=dict(type='ReLU', inplace=True)))),
                positional_encoding=dict(num_feats=feat // 2,
                                         normalize=True)),
            enforce_decoder_input_project=False,
            positional_encoding=dict(num_feats=feat // 2, normalize=True),
            transformer_decoder=dict(
                return_intermediate=True,
                num_layers=2,
                layer_cfg=dict(
                    self_attn_cfg=dict(
                        embed_dims=feat,
                        num_heads=8,
                        dropout=0.0,
                        batch_first=True),
                    cross_attn_cfg=dict(
                        embed_dims=feat,
                        num_heads=8,
                        dropout=0.0,
                        batch_first=True),
                    ffn_cfg=dict(
                        embed_dims=feat,
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
            num_things_classes=num_things,
            num_stuff_classes=num_stuff,
            loss_panoptic=None,
            init_cfg=None),
        train_cfg=train_cfg,
        test_cfg=dict(
            panoptic_on=True,
            semantic_on=False,
            instance_on=False,
            max_per_image=100,
            iou_thr=0.8,
            filter_low_score=True),
        init_cfg=None)


def tiny_segmenter_cfg(num_things: int = 80,
                       num_stuff: int = 53,
                       checkpoint: Optional[str] = None) -> dict:
    """A ``FrozenPanopticSegmenter`` config around the tiny Mask2Former.

    Args:
        num_things (int): Number of thing classes. Defaults to 80.
        num_stuff (int): Number of stuff classes. Defaults to 53.
        checkpoint (str, optional): Weights to load; random weights when
            None. Defaults to None.

    Returns:
        dict: A config for mmagic's ``MODELS.build``.
    """
    return dict(
        type='FrozenPanopticSegmenter',
        config=tiny_mask2former_cfg(num_things, num_stuff),
        checkpoint=checkpoint,
        allow_random_init=checkpoint is None)


def tiny_translation_cfg(model_type: str = 'AdvSegPix2Pix',
                         adv_seg: Optional[dict] = None) -> dict:
    """A small AdvSegPix2Pix / AdvSegCycleGAN model dict for CPU tests.

    The baselines' architecture (ResNet generator, PatchGAN) with 8 base
    channels and one residual block; domains ``sketch`` -> ``photo`` as in
    the configs.

    Args:
        model_type (str): ``'AdvSegPix2Pix'`` or ``'AdvSegCycleGAN'``.
        adv_seg (dict, optional): The model's ``adv_seg`` settings; None for
            the baseline. Defaults to None.

    Returns:
        dict: A model dict for mmagic's ``MODELS.build``.
    """
    paired = model_type == 'AdvSegPix2Pix'
    norm = dict(type='BN') if paired else dict(type='IN')
    cfg = dict(
        type=model_type,
        data_preprocessor=dict(
            type='DataPreprocessor', data_keys=['img_photo', 'img_sketch']),
        generator=dict(
            type='ResnetGenerator',
            in_channels=3,
            out_channels=3,
            base_channels=8,
            norm_cfg=norm,
            use_dropout=paired,
            num_blocks=1,
            padding_mode='reflect',
            init_cfg=dict(type='normal', gain=0.02)),
        discriminator=dict(
            type='PatchDiscriminator',
            in_channels=6 if paired else 3,
            base_channels=8,
            num_conv=3,
            norm_cfg=norm,
            init_cfg=dict(type='normal', gain=0.02)),
        default_domain='photo',
        reachable_domains=['photo'] if paired else ['photo', 'sketch'],
        related_domains=['photo', 'sketch'],
        adv_seg=adv_seg)
    if not paired:
        cfg.update(buffer_size=4)
    return cfg
