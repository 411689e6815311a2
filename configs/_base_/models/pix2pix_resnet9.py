# Pix2Pix baseline as in the authors' code: ResNet-9blocks generator with
# batch norm and dropout, 70x70 PatchGAN conditioned on the sketch, vanilla
# GAN + 100 * L1. Domains are fixed: 'sketch' -> 'photo'.
model = dict(
    type='AdvSegPix2Pix',
    data_preprocessor=dict(
        type='DataPreprocessor', data_keys=['img_photo', 'img_sketch']),
    generator=dict(
        type='ResnetGenerator',
        in_channels=3,
        out_channels=3,
        base_channels=64,
        norm_cfg=dict(type='BN'),
        use_dropout=True,
        num_blocks=9,
        padding_mode='reflect',
        init_cfg=dict(type='normal', gain=0.02)),
    discriminator=dict(
        type='PatchDiscriminator',
        in_channels=6,
        base_channels=64,
        num_conv=3,
        norm_cfg=dict(type='BN'),
        init_cfg=dict(type='normal', gain=0.02)),
    loss_config=dict(pixel_loss_weight=100.0),
    default_domain='photo',
    reachable_domains=['photo'],
    related_domains=['photo', 'sketch'])
