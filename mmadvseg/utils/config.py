# Copyright (c) mmadvseg contributors. All rights reserved.
"""Config handling shared by the tools that take a config: loading it with
``--cfg-options``, and one ``error:`` line for the commonest mistakes (a
syntax error, an option that is not ``KEY=VALUE`` or does not fit the
config) instead of a traceback."""
import argparse
import ast
import os.path as osp
from typing import Any, Optional, Sequence, Union

from mmengine.config import Config, DictAction

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


class ConfigError(ValueError):
    """A config that cannot be loaded, or a ``--cfg-options`` entry that does
    not fit it; the message names the file or the option and the fix."""


def _squash(text: str) -> str:
    return ' '.join(str(text).split())


def read_config(config: str,
                cfg_options: Optional[dict] = None,
                import_custom_modules: bool = True) -> Config:
    """Load a config file and merge ``--cfg-options`` into it.

    Args:
        config (str): Config file.
        cfg_options (dict, optional): ``--cfg-options`` overrides, merged
            one at a time so that a bad one can be named.
        import_custom_modules (bool): Import the config's
            ``custom_imports``. Defaults to True.

    Returns:
        Config: The config.

    Raises:
        FileNotFoundError: No such file.
        ConfigError: The file cannot be loaded (a syntax error, an unknown
            name, a missing ``_base_``), or an option does not fit it.
    """
    if not osp.isfile(config):
        raise FileNotFoundError(
            f'{config}: config file not found; check the path')
    show = f'python tools/misc/print_config.py {config} shows it resolved'
    try:
        with open(config, encoding='utf-8') as f:
            ast.parse(f.read(), config)
    except SyntaxError as err:
        raise ConfigError(
            f'{config}, line {err.lineno}: syntax error ({_squash(err.msg)})'
            f': fix that line of the config') from None
    try:
        cfg = Config.fromfile(
            config, import_custom_modules=import_custom_modules)
    except Exception as err:  # noqa: BLE001  (whatever the file runs)
        raise ConfigError(
            f'{config}: cannot load the config ({type(err).__name__}: '
            f'{_squash(err)}): fix the config or the files its _base_ '
            'names') from None
    for key, value in (cfg_options or {}).items():
        try:
            cfg.merge_from_dict({key: value})
        except Exception as err:  # noqa: BLE001  (KeyError, TypeError, ...)
            raise ConfigError(
                f'--cfg-options {key}={value!r} does not fit {config} '
                f'({_squash(err)}): check the key ({show})') from None
    return cfg


class ConfigOptionsAction(DictAction):
    """mmengine's ``DictAction`` (``--cfg-options KEY=VALUE ...``), where an
    entry that is not ``KEY=VALUE`` (or has unbalanced brackets) exits with
    one ``error:`` line and code 1 instead of a traceback."""

    def __call__(self,
                 parser: argparse.ArgumentParser,
                 namespace: argparse.Namespace,
                 values: Union[str, Sequence[Any], None],
                 option_string: Optional[str] = None) -> None:
        option = option_string or self.dest
        for entry in [values] if isinstance(values, str) else values or []:
            key, eq, value = str(entry).partition('=')
            if not key or not eq:
                problem = (f'is not KEY=VALUE: write e.g. {option} '
                           'train_cfg.max_epochs=10 (no spaces around =)')
            else:
                problem = _bracket_problem(value)
            if problem:
                parser.exit(1, f'error: {option} {entry!r} {problem}\n')
        super().__call__(parser, namespace, values, option_string)


def _bracket_problem(value: str) -> str:
    """Why DictAction cannot parse a value ('' if it can)."""
    try:
        DictAction._parse_iterable(value)
    except Exception as err:  # noqa: BLE001  (its assertion)
        return (f'has a bad value ({_squash(err)}): balance its brackets, '
                "and quote the entry for the shell: 'KEY=[1,2]'")
    return ''


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

    Raises:
        FileNotFoundError: No such config file.
        ConfigError: See :func:`read_config`.
    """
    cfg = read_config(config, cfg_options)
    cfg.launcher = launcher
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
