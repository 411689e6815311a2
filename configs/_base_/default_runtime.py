# Runtime shared by every mmadvseg config (mmagic scope + our components).
default_scope = 'mmagic'
custom_imports = dict(
    imports=[
        'mmadvseg.datasets.transforms', 'mmadvseg.engine',
        'mmadvseg.evaluation', 'mmadvseg.models'
    ],
    allow_failed_imports=False)

randomness = dict(seed=2022, diff_rank_seed=True)
log_level = 'INFO'
log_processor = dict(type='LogProcessor', by_epoch=True)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='AtomicCheckpointHook',
        interval=10,
        by_epoch=True,
        max_keep_ckpts=3,
        save_optimizer=True,
        save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'))

env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # nccl on GPUs; tools/dist_train.sh switches to gloo on CPU
    dist_cfg=dict(backend='nccl'))

# each network is wrapped on its own (generators, discriminators)
model_wrapper_cfg = dict(
    type='MMSeparateDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)

vis_backends = [dict(type='VisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)

val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')

load_from = None
resume = False
