# The authors' schedule (pytorch-CycleGAN-and-pix2pix): Adam lr 2e-4,
# betas (0.5, 0.999), batch 1, 100 epochs at a constant rate, then 100 epochs
# of linear decay to 0. Epoch-based, so it holds for any dataset size; the
# decay is applied per iteration.
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generators=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
    discriminators=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))))

const_epochs = 100
decay_epochs = 100
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1.0,
        end_factor=0.0,
        by_epoch=True,
        begin=const_epochs,
        end=const_epochs + decay_epochs,
        convert_to_iter_based=True)
]
train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs=const_epochs + decay_epochs,
    val_begin=1,
    val_interval=10)
