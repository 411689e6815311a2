# Copyright (c) mmadvseg contributors. All rights reserved.
import json
import os
import os.path as osp
import time
from typing import Any, Dict, List, Optional, Sequence

from mmagic.registry import HOOKS
from mmengine.dist import (
    barrier,
    broadcast_object_list,
    get_rank,
    get_world_size,
    is_main_process,
)
from mmengine.hooks import Hook

from ...utils.fileio import (
    atomic_write,
    commit_folder,
    partial_folder,
    remove_stale_partials,
    write_problem,
)
from ..errors import RunError
from ..resume import LAST_CHECKPOINT

# where the configs' pipelines keep the source image's path: in the data
# samples (after KeyMapper) and in the datasets' data infos
_PATH_KEYS = ('pair_path', 'img_sketch_path')
_INFO_KEYS = ('pair_path', 'img_A_path')


#: What marks a training run's files: checkpoints and their pointer.
CHECKPOINT_SUFFIX = '.pth'


def _is_checkpoint(name: str) -> bool:
    return name.endswith(CHECKPOINT_SUFFIX) or name == LAST_CHECKPOINT


def _checkpoint_in(folder: str) -> Optional[str]:
    """The first checkpoint file (``*.pth``, ``last_checkpoint``) found in
    ``folder`` or below it, or None."""
    for root, _, names in os.walk(folder):
        found = sorted(n for n in names if _is_checkpoint(n))
        if found:
            return osp.join(root, found[0])
    return None


def check_test_outputs(out_dir: str,
                       metrics_file: str,
                       overwrite: bool,
                       work_dir: Optional[str] = None) -> None:
    """Refuse to replace a training run, or the results of an earlier test
    unasked.

    A test replaces its image folder as a whole, so that folder must not be
    the work dir or above it, nor hold checkpoints, even with
    ``overwrite``; the metrics file must not be a checkpoint.

    Args:
        out_dir (str): Image folder.
        metrics_file (str): Metrics JSON.
        overwrite (bool): Earlier results may be replaced.
        work_dir (str, optional): The run's work dir.

    Raises:
        RunError: The images or metrics would replace a training run's
            files, or cannot be written there.
        FileExistsError: ``out_dir`` is not empty or ``metrics_file``
            exists, and ``overwrite`` is off.
    """
    image_dir = osp.realpath(out_dir)
    work = osp.realpath(work_dir) if work_dir else None
    if work and (work + os.sep).startswith(image_dir.rstrip(os.sep) + os.sep):
        raise RunError(
            f'the image folder {out_dir} is the work dir {work_dir} or above '
            'it: the test replaces that folder as a whole, checkpoints and '
            'logs included. Give --image-dir a folder of its own (default: '
            '<work_dir>/images)')
    held = _checkpoint_in(out_dir)
    if held or _is_checkpoint(osp.basename(metrics_file)):
        what = (f'the image folder {out_dir} holds the checkpoint {held}'
                if held else f'the metrics file {metrics_file} is a '
                'checkpoint\'s name')
        raise RunError(
            f'{what}: the test would replace it. Write the results '
            'elsewhere (--image-dir, --out)')
    for path, folder in ((out_dir, True), (metrics_file, False)):
        problem = write_problem(path, folder)
        if problem:
            raise RunError(f'{problem}: choose another --image-dir or --out '
                           '(checked before the test, which would fail at '
                           'its end)')
    if overwrite:
        return
    for path in (out_dir, metrics_file):
        if osp.isfile(path) or (osp.isdir(path) and os.listdir(path)):
            raise FileExistsError(
                f'{path} holds the results of an earlier test; pass '
                '--overwrite to replace them (once this test is complete), '
                'or write elsewhere (--work-dir, --image-dir, --out)')


@HOOKS.register_module()
class SaveTestResultsHook(Hook):
    """Write the generated test images and the test metrics, never mixed
    with an earlier test's.

    Images are PNGs named after their source image, with its path relative
    to the test folder (``sub/<stem>.png``; numbered ``<rank>_<index>.png``
    without a source path), so the folder can be compared with the real
    test photos by ``tools/analysis/fid.py`` or ``python -m pytorch_fid``.
    They are written into a new folder beside ``out_dir`` that replaces it
    when the test is complete (an interrupted test leaves the earlier
    results as they were); then the metrics JSON is written, with the
    number of images and ``provenance`` (which checkpoint and config made
    them).

    Args:
        out_dir (str, optional): Image folder. Defaults to
            ``<work_dir>/images``.
        metrics_file (str, optional): Metrics JSON. Defaults to
            ``<work_dir>/metrics.json``.
        fake_key (str): Data-sample field holding the generated image.
            Defaults to ``'fake_photo'``.
        overwrite (bool): Replace the results of an earlier test. Defaults
            to False: they make the test fail before it starts.
        provenance (dict, optional): Recorded in the metrics JSON, e.g.
            the checkpoint, its SHA-256 and the config.
        config_copy (str, optional): Where to save the runner's config
            (``runner.cfg``), after the metrics; None saves none. Defaults
            to None.
    """

    priority = 'LOW'

    def __init__(self,
                 out_dir: Optional[str] = None,
                 metrics_file: Optional[str] = None,
                 fake_key: str = 'fake_photo',
                 overwrite: bool = False,
                 provenance: Optional[Dict[str, Any]] = None,
                 config_copy: Optional[str] = None) -> None:
        self.out_dir = out_dir
        self.config_copy = config_copy
        self.metrics_file = metrics_file
        self.fake_key = fake_key
        self.overwrite = overwrite
        self.provenance = dict(provenance or {})
        self._names: Dict[str, str] = {}
        self._written: Dict[str, str] = {}  # name -> source
        self._tmp = ''
        self._count = 0

    def before_test(self, runner) -> None:
        self.out_dir = self.out_dir or osp.join(runner.work_dir, 'images')
        self.metrics_file = self.metrics_file or osp.join(
            runner.work_dir, 'metrics.json')
        check_test_outputs(self.out_dir, self.metrics_file, self.overwrite,
                           runner.work_dir)
        self._names = _plan_names(runner)
        self._written, self._count = {}, 0
        tmp = [None]
        if is_main_process():
            remove_stale_partials(osp.dirname(osp.abspath(self.out_dir)))
            tmp = [partial_folder(self.out_dir)]
        if get_world_size() > 1:
            broadcast_object_list(tmp)
        self._tmp = tmp[0]

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch: Optional[dict] = None,
                        outputs: Optional[Sequence] = None) -> None:
        import cv2
        for sample in outputs or []:
            image = sample.get(self.fake_key)
            if image is None:
                raise KeyError(
                    f'SaveTestResultsHook: no {self.fake_key!r} in the test '
                    f'outputs; set fake_key to one of {sorted(sample.keys())}')
            name = self._name(sample)
            path = osp.join(self._tmp, name)
            os.makedirs(osp.dirname(path), exist_ok=True)
            # tensors in mmagic's channel order (BGR, like cv2), 0-255
            image = image.detach().round().byte().permute(1, 2, 0).cpu()
            if not cv2.imwrite(path, image.numpy()):
                raise OSError(f'cannot write {path}: check the free space '
                              'and permissions of the folder')
            self._count += 1

    def after_test_epoch(self,
                         runner,
                         metrics: Optional[Dict[str, float]] = None) -> None:
        if get_world_size() > 1:
            barrier()  # every process has written its images
        if not is_main_process():
            return
        files = _files(self._tmp)
        if osp.isfile(self.metrics_file):  # never beside the new images
            os.remove(self.metrics_file)
        commit_folder(self._tmp, self.out_dir)
        runner.logger.info(
            f'{len(files)} generated images written to {self.out_dir}')
        record = dict(
            metrics=metrics or {},
            images=osp.abspath(self.out_dir),
            num_images=len(files),
            **self.provenance,
            time=time.strftime('%Y-%m-%d %H:%M:%S'))
        with atomic_write(self.metrics_file, 'w') as f:
            json.dump(record, f, indent=2, default=float)
        runner.logger.info(f'Metrics written to {self.metrics_file}')
        if self.config_copy:
            with atomic_write(self.config_copy, 'w') as f:
                f.write(runner.cfg.dump())

    def _name(self, sample) -> str:
        for key in _PATH_KEYS:
            source = sample.metainfo.get(key)
            if not source:
                continue
            name = self._names.get(source) or _png(osp.basename(source))
            if self._written.setdefault(name, source) != source:
                raise RunError(
                    f'{source} and {self._written[name]} would both be '
                    f'written as {name}; rename one of them')
            return name
        # no source path: number the images, per process
        return f'{get_rank()}_{self._count:06d}.png'


def _png(relative: str) -> str:
    return osp.splitext(relative)[0] + '.png'


def _plan_names(runner) -> Dict[str, str]:
    """``{source path: image name}`` of every test sample: the path
    relative to the folder that holds them all, as PNG.

    Raises:
        RunError: Two sources would get the same name (``a.jpg`` and
            ``a.png``).
    """
    loop = getattr(runner, 'test_loop', None)
    loaders = getattr(loop, 'dataloaders', None) or [
        getattr(loop, 'dataloader', None)
    ]
    sources: List[str] = []
    for loader in loaders:
        dataset = getattr(loader, 'dataset', None)
        if not hasattr(dataset, 'get_data_info'):
            continue
        for index in range(len(dataset)):
            info = dataset.get_data_info(index)
            sources += [info[k] for k in _INFO_KEYS if k in info][:1]
    sources = sorted(set(sources))
    if not sources:
        return {}
    root = osp.commonpath([osp.dirname(s) for s in sources])
    names: Dict[str, str] = {}
    owners: Dict[str, str] = {}
    for source in sources:
        name = _png(osp.relpath(source, root))
        if owners.setdefault(name, source) != source:
            raise RunError(f'{source} and {owners[name]} would both be '
                           f'written as {name}; rename one of them')
        names[source] = name
    return names


def _files(folder: str) -> List[str]:
    return [
        osp.join(root, name) for root, _, names in os.walk(folder)
        for name in names
    ]
