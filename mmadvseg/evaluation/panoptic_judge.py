# Copyright (c) mmadvseg contributors. All rights reserved.
"""An independent judge for generated images: any mmdet panoptic detector
used through its own (argmax, not differentiable) prediction."""
from typing import List, Optional, Union

import numpy as np
import torch
from mmagic.registry import MODELS
from torch import Tensor

from ..models.segmenters.panoptic_segmenter import build_frozen_detector
from .label_judge import LabelJudge


@MODELS.register_module()
class PanopticJudge(LabelJudge):
    """A frozen mmdet panoptic detector (Panoptic FPN, Mask2Former ...) as a
    segmenter of generated images, with the interface of
    ``FrozenPanopticSegmenter`` (BGR [-1, 1] in, :class:`SegMaps` out), so
    that ``ToySemanticAccuracy`` and ``SegConsistency`` can use it.

    The maps are one-hot maps of the detector's own panoptic prediction
    (``predict``: thresholds, NMS and fusion, no gradient): a judge needs no
    gradient and should see what the detector really predicts. Pixels the
    fusion leaves unlabelled (void) take the class of the nearest labelled
    pixel, so that every pixel is judged; the void masks of the images of
    the last call are kept in :attr:`last_void_masks` (for metrics that
    score void pixels as errors or leave them out) and their share of each
    image in :attr:`last_void_fraction`.

    Args:
        config (str | dict): The detector's mmdet config (file, ``mmdet::``
            name or dict).
        checkpoint (str, optional): Its weights.
        allow_random_init (bool): Allow ``checkpoint=None`` (tests only).
        init_cfg (dict, optional): Unused. Defaults to None.
    """

    def __init__(self,
                 config: Union[str, dict],
                 checkpoint: Optional[str] = None,
                 allow_random_init: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.detector, preprocess = build_frozen_detector(
            config, checkpoint, allow_random_init, type(self).__name__)
        from mmdet.registry import MODELS as MMDET_MODELS
        from mmengine.registry import DefaultScope
        with DefaultScope.overwrite_default_scope('mmdet'):
            self.data_preprocessor = MMDET_MODELS.build(
                dict(dict(type='DetDataPreprocessor'), **preprocess))
        fusion = self.detector.panoptic_fusion_head
        self.num_things = fusion.num_things_classes
        self.num_stuff = fusion.num_stuff_classes
        self.num_classes = self.num_things + self.num_stuff
        self.last_void_fraction: List[float] = []
        self.last_void_masks: List[Tensor] = []
        self.requires_grad_(False)
        self.eval()

    def init_weights(self) -> None:
        """Do nothing: the weights come from ``checkpoint``."""

    def train(self, mode: bool = True) -> 'PanopticJudge':
        """Stay in eval mode."""
        return super().train(False)

    def _packed(self, inputs: Tensor) -> tuple:
        """mmagic BGR [-1, 1] images as the detector's preprocessed batch."""
        from mmdet.structures import DetDataSample
        if inputs.dim() != 4 or inputs.shape[1] != 3:
            raise ValueError(f'{type(self).__name__} expects (N, 3, H, W) '
                             f'images, got shape {tuple(inputs.shape)}')
        height, width = inputs.shape[-2:]
        # the detector's pipeline loads BGR uint8 images
        images = ((inputs + 1) * 127.5).round().clamp(0, 255)
        samples = [
            DetDataSample(metainfo=dict(
                img_shape=(height, width), ori_shape=(height, width),
                scale_factor=(1.0, 1.0), batch_input_shape=(height, width)))
            for _ in range(len(images))
        ]
        data = self.data_preprocessor(
            dict(inputs=list(images), data_samples=samples), False)
        return data['inputs'], data['data_samples']

    def predict_labels(self, inputs: Tensor) -> Tensor:
        """The detector's panoptic prediction as class labels, void pixels
        filled with the nearest labelled class (see the class docstring).

        Args:
            inputs (Tensor): BGR images in [-1, 1], (N, 3, H, W).

        Returns:
            Tensor: (N, H, W) class labels.
        """
        from mmdet.evaluation.functional import INSTANCE_OFFSET
        from scipy.ndimage import distance_transform_edt
        images, samples = self._packed(inputs)
        results = self.detector.predict(images, samples, rescale=True)
        labels, self.last_void_fraction, self.last_void_masks = [], [], []
        for result in results:
            pan = result.pred_panoptic_seg.sem_seg[0].cpu().numpy()
            label = pan % INSTANCE_OFFSET
            void = label >= self.num_classes
            if void.all():  # nothing predicted: a class for every pixel
                label = np.zeros_like(label)
            elif void.any():
                _, (rows, cols) = distance_transform_edt(
                    void, return_indices=True)
                label = label[rows, cols]
            self.last_void_fraction.append(float(void.mean()))
            self.last_void_masks.append(torch.from_numpy(void))
            labels.append(torch.from_numpy(label.astype(np.int64)))
        return torch.stack(labels)

    @torch.no_grad()
    def features(self, inputs: Tensor) -> Tensor:
        """Global-average-pooled multi-level features (the detector's
        ``extract_feat``: backbone + FPN), for a Fréchet distance.

        Args:
            inputs (Tensor): BGR images in [-1, 1], (N, 3, H, W).

        Returns:
            Tensor: (N, D) features.
        """
        images, _ = self._packed(inputs)
        feats = self.detector.extract_feat(images)
        return torch.cat([f.mean((2, 3)) for f in feats], 1)



__all__ = ['PanopticJudge']
