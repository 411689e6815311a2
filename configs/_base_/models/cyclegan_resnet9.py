# CycleGAN baseline as in the authors' code: the Pix2Pix networks with
# instance norm and no dropout, unconditional PatchGANs, LSGAN + cycle 10 +
# identity, image pool 50. Domains are fixed: 'sketch' <-> 'photo'.
# mmagic applies id_loss_weight as an absolute weight (id_loss_weight * L1),
# whereas the reference code's lambda_identity = 0.5 multiplies
# lambda_A = lambda_B = 10: the same identity term is 5.0 here.
_base_ = './pix2pix_resnet9.py'
model = dict(
    type='AdvSegCycleGAN',
    generator=dict(norm_cfg=dict(type='IN'), use_dropout=False),
    discriminator=dict(in_channels=3, norm_cfg=dict(type='IN')),
    buffer_size=50,
    loss_config=dict(
        _delete_=True, cycle_loss_weight=10., id_loss_weight=5.0),
    reachable_domains=['photo', 'sketch'])
