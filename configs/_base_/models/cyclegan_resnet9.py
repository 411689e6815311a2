# CycleGAN baseline as in the authors' code: ResNet-9blocks generators with
# instance norm, 70x70 PatchGANs, LSGAN, cycle 10, identity 0.5, image pool
# 50. Domains are fixed: 'sketch' <-> 'photo'.
model = dict(
    type='AdvSegCycleGAN',
    data_preprocessor=dict(
        type='DataPreprocessor', data_keys=['img_photo', 'img_sketch']),
    generator=dict(
        type='ResnetGenerator',
        in_channels=3,
        out_channels=3,
        base_channels=64,
        norm_cfg=dict(type='IN'),
        use_dropout=False,
        num_blocks=9,
        padding_mode='reflect',
        init_cfg=dict(type='normal', gain=0.02)),
    discriminator=dict(
        type='PatchDiscriminator',
        in_channels=3,
        base_channels=64,
        num_conv=3,
        norm_cfg=dict(type='IN'),
        init_cfg=dict(type='normal', gain=0.02)),
    buffer_size=50,
    loss_config=dict(cycle_loss_weight=10., id_loss_weight=0.5),
    default_domain='photo',
    reachable_domains=['photo', 'sketch'],
    related_domains=['photo', 'sketch'])
