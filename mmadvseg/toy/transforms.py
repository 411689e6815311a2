# Copyright (c) mmadvseg contributors. All rights reserved.
"""Data-pipeline transform that puts the toy scenes' ground truth into the
data samples, where ``ToySemanticAccuracy`` reads it."""
from typing import Optional

from mmagic.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .scenes import ToyScenes


@TRANSFORMS.register_module()
class LoadToyLabels(BaseTransform):
    """Load the class index map of the toy scene an image belongs to.

    Required keys: ``path_key`` (and ``real_path_key`` when given).
    Added keys: ``gt_seg`` (``(H, W)`` uint8 class indices of the scene
    whose sketch is translated, see :meth:`ToyScenes.read_labels`) and, with
    ``real_path_key``, ``same_scene`` (whether the real photo of the sample
    shows that scene; unpaired data may pair it with another one). List
    them in ``PackInputs``' ``meta_keys``.

    Args:
        path_key (str): Key of the path of the translated image:
            ``'pair_path'`` (paired data) or ``'img_A_path'`` (unpaired
            data, before the domain keys are renamed). Defaults to
            'pair_path'.
        real_path_key (str, optional): Key of the real photo's path
            (unpaired data: ``'img_B_path'``). Defaults to None (paired:
            always the same scene).
    """

    def __init__(self,
                 path_key: str = 'pair_path',
                 real_path_key: Optional[str] = None) -> None:
        self.path_key = path_key
        self.real_path_key = real_path_key

    def transform(self, results: dict) -> dict:
        """Add ``gt_seg`` (and ``same_scene``) to ``results``.

        Args:
            results (dict): The pipeline's data.

        Returns:
            dict: ``results`` with the labels.
        """
        path = results[self.path_key]
        results['gt_seg'] = ToyScenes.read_labels(path)
        if self.real_path_key is not None:
            results['same_scene'] = ToyScenes.locate(path) == ToyScenes.locate(
                results[self.real_path_key])
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(path_key={self.path_key!r}, '
                f'real_path_key={self.real_path_key!r})')


__all__ = ['LoadToyLabels']
