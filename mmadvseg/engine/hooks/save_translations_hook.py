# Copyright (c) mmadvseg contributors. All rights reserved.
import os
import os.path as osp
from typing import Optional, Sequence

from mmagic.registry import HOOKS
from mmengine.hooks import Hook

_PATH_KEYS = ('pair_path', 'img_sketch_path', 'img_A_path', 'img_path')


@HOOKS.register_module()
class SaveTranslationsHook(Hook):
    """Write every generated test image to ``out_dir`` as a PNG.

    Files are named after the source image (``<stem>.png``), so the folder
    can be compared with the real test photos by ``tools/analysis/fid.py``
    or ``python -m pytorch_fid``.

    Args:
        out_dir (str, optional): Output folder. Defaults to
            ``<work_dir>/images``.
        fake_key (str): Data-sample field holding the generated image.
            Defaults to ``'fake_photo'``.
    """

    priority = 'LOW'

    def __init__(self,
                 out_dir: Optional[str] = None,
                 fake_key: str = 'fake_photo') -> None:
        self.out_dir = out_dir
        self.fake_key = fake_key
        self._count = 0

    def before_test(self, runner) -> None:
        self.out_dir = self.out_dir or osp.join(runner.work_dir, 'images')
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
            # tensors in mmagic's channel order (BGR, like cv2), 0-255
            image = image.detach().round().byte().permute(1, 2, 0).cpu()
            cv2.imwrite(
                osp.join(self.out_dir, self._name(sample)), image.numpy())
            self._count += 1

    def after_test(self, runner) -> None:
        runner.logger.info(
            f'{self._count} generated images written to {self.out_dir}')

    def _name(self, sample) -> str:
        for key in _PATH_KEYS:
            path = sample.metainfo.get(key)
            if path:
                return osp.splitext(osp.basename(path))[0] + '.png'
        return f'{self._count:06d}.png'
