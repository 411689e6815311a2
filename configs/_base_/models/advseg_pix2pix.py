# AdvSegLoss on Pix2Pix as in the authors' code: the segmentation
# discriminators see cat(real photo, map), use batch norm and the vanilla GAN
# loss. Weight 1.0 per term (the paper's ablation; the reference code uses
# 100). Leaves pick the variant. *both* conditioned on the photo is the
# default by the decision rule of the toy evidence (configs/toy/README.md,
# "Protocol v2"): on shared-colour scenes it raised the judge mIoU by +0.254
# (95 % CI +0.199 to +0.309, 5 seeds, Holm over 5) with a better judge FD,
# more than the non-adversarial consistency control (+0.156); with a colour
# per class it gains only +0.018 and its judge FD gets worse, where
# `pix2pix_consistency_*` gains +0.009 without that cost.
_base_ = ['./pix2pix_resnet9.py', '../segmenters/mask2former_r50_coco-panoptic.py']

model = dict(
    adv_seg=dict(
        segmenter=_base_.segmenter,
        variant='both',
        loss_weights=dict(multiclass=1.0, binary=1.0),
        condition='target',
        discriminator=dict(
            type='SegPatchDiscriminator',
            base_channels=64,
            num_conv=3,
            norm_cfg=dict(type='BN')),
        loss=dict(type='AdvSegLoss', gan_type='vanilla')))
