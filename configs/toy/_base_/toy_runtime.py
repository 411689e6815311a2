# Shared by the toy GANs: a short iteration-based schedule for a CPU
# (Adam 2e-4, betas (0.5, 0.999), constant for the first half, then linear
# decay to 0, as the authors' schedule in miniature), batch 4 (datasets/).
# The model bases add a reduced ResNet generator (32 base channels, 6 blocks)
# and the tiny toy segmenter (toy_evaluator.py) wherever AdvSegLoss is on.
# Leaves pick the model and the variant; the toy experiment sets the length.
_base_ = [
    '../../_base_/schedules/adam_lr2e-4_100e-const_100e-decay.py',
    '../../_base_/default_runtime.py'
]
custom_imports = dict(
    imports=[
        'mmadvseg.datasets.transforms', 'mmadvseg.engine',
        'mmadvseg.evaluation', 'mmadvseg.models', 'mmadvseg.toy.judges',
        'mmadvseg.toy.transforms'
    ],
    allow_failed_imports=False)
max_iters = 2000
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=max_iters)
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1.0,
        end_factor=0.0,
        by_epoch=False,
        begin=max_iters // 2,
        end=max_iters)
]
log_processor = dict(by_epoch=False)
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(by_epoch=False, interval=max_iters, max_keep_ckpts=1))
# evaluation with fixed dropout masks (the same checkpoint scores the same
# twice), and training's random numbers untouched by validation
custom_hooks = [dict(type='SeededEvalHook', seed=0)]
