# Copyright (c) mmadvseg contributors. All rights reserved.
"""Config handling shared by ``tools/train.py`` and ``tools/test.py``."""
import os.path as osp
from typing import Optional

from mmengine.config import Config

#: The ``configs/`` folder of the source checkout (``pip install -e .``).
CONFIGS_DIR = osp.abspath(
    osp.join(osp.dirname(__file__), '..', '..', 'configs'))


def repo_config(name: str) -> str:
    """Path of a config of the source checkout, e.g.
    ``repo_config('toy/segmenters/mask2former_tiny_toy.py')``.

    Args:
        name (str): Path relative to ``configs/``.

    Returns:
        str: Absolute path of an existing file.

    Raises:
        FileNotFoundError: Not a source checkout (or no such config).
    """
    path = osp.join(CONFIGS_DIR, name)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} not found: this needs the configs/ folder of a source '
            'checkout of mmadvseg (git clone, then pip install -e .)')
    return path


def load_tool_config(config: str,
                     launcher: str = 'none',
                     work_dir: Optional[str] = None,
                     cfg_options: Optional[dict] = None) -> Config:
    """Load a config and apply the command line, as OpenMMLab tools do.

    ``work_dir`` comes from the command line, then the config, then
    ``./work_dirs/<config name>``. Distributed runs on machines without CUDA
    use gloo (see :func:`init_cpu_distributed`).

    Args:
        config (str): Config file.
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.
        work_dir (str, optional): Work directory from the command line.
        cfg_options (dict, optional): ``--cfg-options`` overrides.

    Returns:
        Config: The config, ready for ``Runner.from_cfg``.
    """
    if not osp.isfile(config):
        raise FileNotFoundError(f'Config file not found: {config!r}')
    cfg = Config.fromfile(config)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
    if launcher == 'pytorch':
        import torch
        if not torch.cuda.is_available():
            init_cpu_distributed(cfg)
    return cfg


def init_cpu_distributed(cfg: Config) -> None:
    """Prepare a torchrun-launched run on CPUs only (gloo backend).

    mmengine 0.10's ``init_dist('pytorch')`` calls ``torch.cuda.set_device``
    and its DDP wrappers pass CUDA ``device_ids``, both of which fail without
    CUDA. Here the gloo process group is initialised first (the runner then
    skips ``init_dist``) and the wrapper gets ``device_ids=None``.

    Args:
        cfg (Config): The config; its ``env_cfg`` and ``model_wrapper_cfg``
            are updated in place.
    """
    import torch.distributed as dist
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    if cfg.get('model_wrapper_cfg') is not None:
        cfg.model_wrapper_cfg.device_ids = None
    else:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel', device_ids=None)
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
