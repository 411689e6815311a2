# Copyright (c) mmadvseg contributors. All rights reserved.
import json
import os
import os.path as osp
from typing import Dict, Optional, Sequence

from mmagic.registry import HOOKS
from mmengine.dist import get_rank, is_main_process
from mmengine.hooks import Hook

# where the configs' pipelines keep the source image's path
_PATH_KEYS = ('pair_path', 'img_sketch_path')


@HOOKS.register_module()
class SaveTestResultsHook(Hook):
    """Write the generated test images and the test metrics.

    Images go to ``out_dir`` as PNGs named after their source image
    (``<stem>.png``; numbered ``<rank>_<index>.png`` without a source
    path), so the folder can be compared with the real test
    photos by ``tools/analysis/fid.py`` or ``python -m pytorch_fid``; the
    metrics go to a JSON file.

    Args:
        out_dir (str, optional): Image folder. Defaults to
            ``<work_dir>/images``.
        metrics_file (str, optional): Metrics JSON. Defaults to
            ``<work_dir>/metrics.json``.
        fake_key (str): Data-sample field holding the generated image.
            Defaults to ``'fake_photo'``.
    """

    priority = 'LOW'

    def __init__(self,
                 out_dir: Optional[str] = None,
                 metrics_file: Optional[str] = None,
                 fake_key: str = 'fake_photo') -> None:
        self.out_dir = out_dir
        self.metrics_file = metrics_file
        self.fake_key = fake_key
        self._count = 0

    def before_test(self, runner) -> None:
        self.out_dir = self.out_dir or osp.join(runner.work_dir, 'images')
        self.metrics_file = self.metrics_file or osp.join(
            runner.work_dir, 'metrics.json')
        os.makedirs(self.out_dir, exist_ok=True)
        self._count = 0

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
            # tensors in mmagic's channel order (BGR, like cv2), 0-255
            image = image.detach().round().byte().permute(1, 2, 0).cpu()
            cv2.imwrite(
                osp.join(self.out_dir, self._name(sample)), image.numpy())
            self._count += 1

    def after_test_epoch(self,
                         runner,
                         metrics: Optional[Dict[str, float]] = None) -> None:
        runner.logger.info(
            f'{self._count} generated images written to {self.out_dir}')
        if not is_main_process():
            return
        os.makedirs(
            osp.dirname(osp.abspath(self.metrics_file)), exist_ok=True)
        with open(self.metrics_file, 'w') as f:
            json.dump(metrics or {}, f, indent=2, default=float)
        runner.logger.info(f'Metrics written to {self.metrics_file}')

    def _name(self, sample) -> str:
        for key in _PATH_KEYS:
            path = sample.metainfo.get(key)
            if path:
                return osp.splitext(osp.basename(path))[0] + '.png'
        # no source path: number the images, per process
        return f'{get_rank()}_{self._count:06d}.png'
