# AdvSegLoss on CycleGAN as in the authors' code: unconditional segmentation
# discriminators with instance norm and LSGAN, fed fake maps from a history
# of 50, on the sketch -> photo direction only. Weight 1.0 per term (the
# paper's ablation; the reference code uses 10). Leaves pick the variant.
# On toy scenes no map mode or weight helped CycleGAN (configs/toy/README.md,
# "Evidence runs": soft, hard, Gumbel maps and weight 10 all below the
# baseline), so these stay the authors' settings.
_base_ = ['./cyclegan_resnet9.py', '../segmenters/mask2former_r50_coco-panoptic.py']

model = dict(
    adv_seg=dict(
        segmenter=_base_.segmenter,
        variant='both',
        loss_weights=dict(multiclass=1.0, binary=1.0),
        condition=None,
        domains=['photo'],
        buffer_size=50,
        discriminator=dict(
            type='SegPatchDiscriminator',
            base_channels=64,
            num_conv=3,
            norm_cfg=dict(type='IN')),
        loss=dict(type='AdvSegLoss', gan_type='lsgan')))
