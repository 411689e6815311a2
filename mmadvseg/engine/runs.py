# Copyright (c) mmadvseg contributors. All rights reserved.
"""The bodies of ``tools/train.py`` and ``tools/test.py``.

Bad input (a missing data folder or segmenter checkpoint, a work dir in use
by another run, a checkpoint that cannot be resumed or tested, an
unreadable training image) stops the run before it writes anything, or at
the image, with an error that names the file and the fix
(:mod:`mmadvseg.engine.cli` prints it as one line).
"""
import hashlib
import os
import os.path as osp
from typing import Any, Dict, Iterator, Optional, Tuple, Union

from mmengine.logging import print_log

from ..datasets.check import (
    PAIRED,
    UNPAIRED,
    dataset_folders,
    dataset_type,
    iter_datasets,
)
from ..utils.config import load_tool_config
from ..utils.fileio import lock_folder, unlock_folder
from ..utils.weights import (
    OFFLINE_ENV,
    downloads_allowed,
    hub_cache_path,
    is_url,
)
from .errors import RunError
from .resume import (
    LAST_CHECKPOINT,
    clean_work_dir,
    layout_mismatch,
    require_optimizer_state,
    resume_checkpoint,
    unwrap,
)

#: Loading steps that name unreadable images (mmadvseg.datasets.transforms).
CHECKED_LOADERS = ('CheckedLoadImageFromFile',
                   'CheckedLoadPairedImageFromFile')


def _segmenter_specs(node: Any, where: str) -> Iterator[Tuple[str, dict]]:
    """``(where, spec)`` of every ``config`` + ``checkpoint`` pair (the
    frozen segmenters and judges) in a config subtree."""
    if isinstance(node, dict):
        if isinstance(node.get('checkpoint'), str) and 'config' in node:
            yield where, node
        for key, value in node.items():
            yield from _segmenter_specs(value, f'{where}.{key}')
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _segmenter_specs(value, f'{where}.{i}')


def check_inputs(cfg, config: str, loaders: Tuple[str, ...]) -> None:
    """Refuse a config whose data folders or segmenter checkpoints are
    missing, before anything is built.

    Args:
        cfg (Config): The config.
        config (str): Its file, for the messages.
        loaders (tuple[str]): The dataloaders the run uses.

    Raises:
        RunError: The first missing folder or file, with the fix.
    """
    for where, ds in iter_datasets(cfg):
        if not where.startswith(loaders) or dataset_type(ds) not in (
                PAIRED, UNPAIRED):
            continue
        root = ds.get('data_root')
        missing = [f for _, f in dataset_folders(ds) if not osp.isdir(f)]
        if root and not missing:
            continue
        what = f'{missing[0]} does not exist' if root else 'it is not set'
        raise RunError(
            f'{where}.data_root={root!r}: {what}. Point it at your data '
            f'(--cfg-options {where}.data_root=DIR) or make the data with '
            'tools/dataset_converters/ (the toy scenes: '
            'tools/dataset_converters/toy_scenes.py), then check it with '
            f'python tools/misc/check_dataset.py {config}')
    for key in ('model', ) + tuple(k.replace('dataloader', 'evaluator')
                                   for k in loaders):
        for where, spec in _segmenter_specs(cfg.get(key), key):
            _check_weights(where, spec)


def _check_weights(where: str, spec: dict) -> None:
    """Refuse a segmenter checkpoint that is neither a file nor a URL that
    can be fetched."""
    path = spec['checkpoint']
    if is_url(path):
        cached = hub_cache_path(path)
        if downloads_allowed() or osp.isfile(cached):
            return
        raise RunError(
            f'{where}.checkpoint: {path} is not in the hub cache and '
            f'downloads are disabled ({OFFLINE_ENV} is set): save it as '
            f'{cached}, or point {where}.checkpoint at a local file')
    if not osp.isfile(path):
        raise RunError(
            f'{where}.checkpoint={path!r} does not exist: train that '
            f'segmenter with python tools/train_segmenter.py '
            f'{spec["config"]} (it writes work_dirs/<config name>/'
            'segmenter.pth), or point it at a checkpoint with '
            f'--cfg-options {where}.checkpoint=PATH')


def _read_checkpoint(path: str) -> dict:
    """Load a checkpoint on the CPU, or raise :class:`RunError`."""
    import torch
    if not osp.isfile(path):
        raise RunError(f'checkpoint {path} not found: give the path of a '
                       '.pth file written by tools/train.py')
    try:
        try:  # the tensors stay on disk until used
            return torch.load(path, map_location='cpu', mmap=True)
        except RuntimeError:  # not the zip format: no mmap
            return torch.load(path, map_location='cpu')
    except Exception as err:  # noqa: BLE001  (any reason it cannot be read)
        first = (str(err).strip().splitlines() or [''])[0]
        raise RunError(
            f'cannot read the checkpoint {path} ({type(err).__name__}: '
            f'{first}): the file is corrupt or not a PyTorch checkpoint. Use '
            'a .pth written by tools/train.py (an interrupted copy is not '
            'one: copy it again).') from None


def train(config: Union[str, Any],
          work_dir: Optional[str] = None,
          resume: Optional[str] = None,
          amp: bool = False,
          skip_unreadable: bool = False,
          cfg_options: Optional[dict] = None,
          launcher: str = 'none') -> Any:
    """Train a config: the body of ``tools/train.py`` and of every toy run.

    The work dir is locked for the run (a second run there stops with an
    error) and cleaned of what killed runs left. ``resume='auto'`` continues
    from the checkpoint ``last_checkpoint`` names, a path from that file;
    the checkpoint must hold optimizer state, and the run takes its seed.

    Args:
        config (str | Config): Config file, or a config loaded by
            :func:`~mmadvseg.utils.config.load_tool_config` (then
            ``work_dir``, ``cfg_options`` and ``launcher`` are its own).
        work_dir (str, optional): Work dir (default: the config's, or
            ``work_dirs/<config name>``).
        resume (str, optional): ``'auto'`` or a checkpoint; None starts
            afresh.
        amp (bool): Automatic mixed precision (CUDA). Defaults to False.
        skip_unreadable (bool): Skip unreadable training images (counted in
            the log) instead of stopping. Defaults to False.
        cfg_options (dict, optional): ``--cfg-options`` overrides.
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.

    Returns:
        Runner: The runner, after training (its ``message_hub`` holds the
        logged scalars).

    Raises:
        RunError: Bad input (see the module docstring).
    """
    from mmengine.config import Config
    from mmengine.runner import Runner
    if isinstance(config, Config):
        if work_dir or cfg_options or launcher != 'none':
            raise ValueError('a loaded Config takes no work_dir, '
                             'cfg_options or launcher: load it with them')
        cfg, config = config, config.filename or 'the config'
    else:
        cfg = load_tool_config(config, launcher, work_dir, cfg_options)
    if amp:
        for wrapper in cfg.optim_wrapper.values():
            if isinstance(wrapper, dict) and 'type' in wrapper:
                wrapper.update(type='AmpOptimWrapper', loss_scale='dynamic')
    if skip_unreadable:
        _skip_unreadable(cfg, config)
    check_inputs(cfg, config, ('train_dataloader', 'val_dataloader'))
    main = _rank() == 0
    locked = main and lock_folder(cfg.work_dir, 'training run')
    try:
        if main:
            for path in clean_work_dir(cfg.work_dir):
                print_log(f'Removed {path}, left by an interrupted run.',
                          logger='current')
        if resume:
            _prepare_resume(cfg, resume)
        runner = Runner.from_cfg(cfg)
        runner.train()
    finally:
        if locked:
            unlock_folder(cfg.work_dir)
    print_log(f'Checkpoints and logs are in {cfg.work_dir}', logger='current')
    return runner


def _rank() -> int:
    return int(os.environ.get('RANK', '0'))


def _skip_unreadable(cfg, config: str) -> None:
    """Turn on ``skip_unreadable`` in the training pipeline's loading
    steps."""
    steps = [
        step for where, ds in iter_datasets(cfg)
        if where.startswith('train_dataloader')
        for step in ds.get('pipeline', [])
        if isinstance(step, dict) and step.get('type') in CHECKED_LOADERS
    ]
    if not steps:
        raise RunError(f'{config}: the training pipeline loads no images with '
                       f'{" or ".join(CHECKED_LOADERS)}, which can skip '
                       'unreadable ones; use those loading steps')
    for step in steps:
        step['skip_unreadable'] = True


def _prepare_resume(cfg, resume: str) -> None:
    """Point the config at the checkpoint to continue from, after the
    checks that need no model."""
    path = resume_checkpoint(cfg.work_dir) if resume == 'auto' else resume
    if path is None:
        print_log(f'Nothing to resume in {cfg.work_dir} (no last_checkpoint):'
                  ' training from the start.', logger='current')
        return
    checkpoint = _read_checkpoint(path)
    require_optimizer_state(checkpoint, path)
    seed = checkpoint.get('meta', {}).get('seed')
    randomness = cfg.setdefault('randomness', {})
    if seed is not None and randomness.get('seed') != seed:
        print_log(f'Resuming with the seed of {path}: {seed}.',
                  logger='current')
        randomness['seed'] = seed  # the data order depends on it
    cfg.resume, cfg.load_from = True, path


def file_sha256(path: str) -> str:
    """SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def test(config: str,
         checkpoint: str,
         work_dir: Optional[str] = None,
         out: Optional[str] = None,
         image_dir: Optional[str] = None,
         overwrite: bool = False,
         cfg_options: Optional[dict] = None,
         launcher: str = 'none') -> None:
    """Test a checkpoint: the body of ``tools/test.py``.

    The generated images go to a new folder that replaces ``image_dir``
    only once the test is complete, and ``metrics.json`` records the
    checkpoint (path and SHA-256) and config that made them. Earlier
    results are replaced only with ``overwrite``; a training run's files
    never (see :func:`~.hooks.save_test_results_hook.check_test_outputs`).
    The work dir is locked for the test, as for a training run. The
    config copy mmengine's runner writes into the work dir at its start is
    written with the results instead (a killed test leaves only its logs),
    and not at all in a training run's work dir, whose copy is the
    training's record (the test's config and options are in the metrics).

    Args:
        config (str): Config file.
        checkpoint (str): Checkpoint written by ``tools/train.py``.
        work_dir (str, optional): Work dir (default: the config's, or
            ``work_dirs/<config name>``).
        out (str, optional): Metrics JSON (default
            ``<work_dir>/metrics.json``).
        image_dir (str, optional): Image folder (default
            ``<work_dir>/images``).
        overwrite (bool): Replace earlier results. Defaults to False.
        cfg_options (dict, optional): ``--cfg-options`` overrides.
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.

    Raises:
        RunError: Bad input (see the module docstring).
    """
    from .hooks.save_test_results_hook import check_test_outputs
    state = _read_checkpoint(checkpoint)  # fail before building anything
    cfg = load_tool_config(config, launcher, work_dir, cfg_options)
    image_dir = image_dir or osp.join(cfg.work_dir, 'images')
    out = out or osp.join(cfg.work_dir, 'metrics.json')
    check_test_outputs(image_dir, out, overwrite, cfg.work_dir)
    check_inputs(cfg, config, ('test_dataloader', ))
    main = _rank() == 0
    locked = main and lock_folder(cfg.work_dir, 'test')
    try:
        _run_test(cfg, config, checkpoint, state, image_dir, out, overwrite,
                  cfg_options)
    finally:
        if locked:
            unlock_folder(cfg.work_dir)


def _run_test(cfg, config: str, checkpoint: str, state: dict, image_dir: str,
              out: str, overwrite: bool, cfg_options: Optional[dict]) -> None:
    """Build the runner of a test and run it (the work dir is locked)."""
    from mmengine.runner import Runner

    class TestRunner(Runner):
        """A runner that leaves the config copy to SaveTestResultsHook."""

        def dump_config(self) -> None:
            pass

    provenance: Dict[str, Any] = dict(
        config=osp.abspath(config),
        cfg_options=cfg_options or {},
        checkpoint=osp.abspath(checkpoint),
        checkpoint_sha256=file_sha256(checkpoint))
    cfg.load_from = None  # loaded strictly below
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(
            type='SaveTestResultsHook',
            out_dir=image_dir,
            metrics_file=out,
            overwrite=overwrite,
            provenance=provenance,
            config_copy=None if osp.isfile(
                osp.join(cfg.work_dir, LAST_CHECKPOINT)) else osp.join(
                    cfg.work_dir, osp.basename(config)))
    ]
    runner = TestRunner.from_cfg(cfg)
    problems = 'state_dict' in state and layout_mismatch(
        state, unwrap(runner.model))
    if problems or 'state_dict' not in state:
        raise RunError(
            f'{checkpoint} is not a checkpoint of this config ({config}): '
            f'weights {problems or "missing"}. Train it with tools/train.py '
            'and this config, or pick the matching config.')
    del state
    runner.load_checkpoint(checkpoint, strict=True)
    runner.test()


__all__ = [
    'RunError', 'check_inputs', 'train', 'test', 'file_sha256'
]
