# Copyright (c) mmadvseg contributors. All rights reserved.
"""Semantic accuracy of generated images against ground-truth labels."""
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmagic.registry import METRICS

from ..functional import segmentation_scores, thing_stuff_scores
from .base import (
    SegmenterMetric,
    segment_labels,
    sparse_confusion,
    sum_confusion,
)

#: Ground-truth label of pixels without a class.
IGNORE_INDEX = 255


@METRICS.register_module()
class ToySemanticAccuracy(SegmenterMetric):
    """Semantic accuracy of generated images against ground-truth labels.

    Made for the procedural toy scenes, whose labels are known: the
    ``LoadToyLabels`` transform puts each scene's class index map into the
    data sample (``gt_seg``), as mmdet's pipelines do for its metrics. An
    evaluation segmenter (trained independently of the one that guided
    training) segments every generated image; its argmax labels are compared
    with ``gt_seg``. Reported, from the confusion counts of the whole set:

    - ``mIoU``, ``aAcc`` (and ``_thing`` / ``_stuff``): every class;
    - ``mIoU_binary``, ``aAcc_binary``: thing vs stuff (argmax of the
      segmenter's thing/stuff map);
    - ``L1``: mean absolute difference between the generated and the real
      photo, RGB in [0, 1];
    - with ``with_real``, the same segmentation scores for the real photos
      (``real_mIoU`` ...): the ceiling the evaluation segmenter allows;
    - ``void``: for a segmenter that leaves pixels unlabelled and fills them
      (``PanopticJudge``), the mean share of such pixels in the generated
      images, and how much the fill matters: ``mIoU_void_error`` (void
      pixels counted as wrong) and ``mIoU_void_ignored`` (void pixels left
      out) beside ``mIoU`` (void pixels take the nearest class);
    - ``num_images``.

    A sample whose ``same_scene`` is False (unpaired data that pairs a
    sketch with another scene's photo) is scored for its generated image
    only, without L1 or a real score.

    Args:
        segmenter (dict | nn.Module): Config of the evaluation segmenter
            (mmagic ``MODELS``), built lazily, or a module.
        fake_key (str): Key of the generated image. Defaults to
            'fake_photo'.
        real_key (str): Key of the real image. Defaults to 'img_photo'.
        gt_key (str): Key of the ``(H, W)`` ground-truth class indices
            (:data:`IGNORE_INDEX` for unlabelled pixels). Defaults to
            'gt_seg'.
        with_real (bool): Also score the real photos. Defaults to True.
        batch_size (int): Images per segmenter forward pass. Defaults to 16.
        **kwargs: ``sample_model``, ``channel_order``, ``value_range``,
            ``quantize``, ``device``, ``collect_device``, ``prefix`` of
            :class:`TranslationMetric`.
    """

    def __init__(self,
                 segmenter: Union[dict, nn.Module],
                 fake_key: str = 'fake_photo',
                 real_key: str = 'img_photo',
                 gt_key: str = 'gt_seg',
                 with_real: bool = True,
                 batch_size: int = 16,
                 **kwargs) -> None:
        super().__init__(segmenter, fake_key, real_key, batch_size, **kwargs)
        self.gt_key = gt_key
        self.with_real = with_real

    def _ground_truth(self, sample: Dict[str, Any]) -> torch.Tensor:
        gt = sample.get(self.gt_key)
        if gt is None:
            raise KeyError(
                f'{type(self).__name__}: no {self.gt_key!r} in the data '
                f'sample (keys: {sorted(sample)}); add LoadToyLabels to the '
                "test pipeline and 'gt_seg' to PackInputs' meta_keys (see "
                'configs/toy/_base_/datasets/)')
        return torch.as_tensor(np.asarray(gt)).long()

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Segment the fakes (and reals) of a batch, count against ``gt_seg``.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): The model's outputs as dicts.
        """
        for segmenter, samples, fake, real in self.batches(data_samples):
            images = torch.cat([fake, real]) if self.with_real else fake
            labels, binary = segment_labels(segmenter, images)
            voids = getattr(segmenter, 'last_void_masks', None) or []
            for i, sample in enumerate(samples):
                same_scene = bool(sample.get('same_scene', True))
                result = self._score(
                    sample, labels, binary, i,
                    len(fake) + i if self.with_real and same_scene else None,
                    segmenter)
                if voids:
                    result.update(self._void_scores(sample, labels[i],
                                                    voids[i], segmenter))
                if same_scene and fake[i].shape == real[i].shape:
                    result['l1'] = float(
                        (fake[i] - real[i]).abs().mean().cpu())
                self.results.append(result)

    def _score(self, sample: Dict[str, Any], labels: torch.Tensor,
               binary: torch.Tensor, index: int, real_index: Optional[int],
               segmenter: nn.Module) -> Dict[str, Any]:
        """Sparse confusion counts of one generated image (and of its real
        photo when ``real_index`` is given: only against its own scene)."""
        num_classes, num_things = segmenter.num_classes, segmenter.num_things
        gt = _resize_labels(self._ground_truth(sample),
                            labels.shape[-2:]).to(labels.device)
        gt_binary = torch.where(gt == IGNORE_INDEX, gt,
                                (gt >= num_things).long())
        result = dict(num_classes=num_classes, num_things=num_things)
        for prefix, j in (('', index), ('real_', real_index)):
            if j is not None:
                result[f'{prefix}classes'] = sparse_confusion(
                    gt, labels[j], num_classes, IGNORE_INDEX)
                result[f'{prefix}binary'] = sparse_confusion(
                    gt_binary, binary[j], 2, IGNORE_INDEX)
        return result

    def _void_scores(self, sample: Dict[str, Any], labels: torch.Tensor,
                     void: torch.Tensor,
                     segmenter: nn.Module) -> Dict[str, Any]:
        """The share of void pixels of one generated image and its sparse
        confusion counts with them scored as errors (predicted as an extra
        class ``C``) and with them left out."""
        num_classes = segmenter.num_classes
        gt = _resize_labels(self._ground_truth(sample),
                            labels.shape[-2:]).to(labels.device)
        void = void.to(labels.device)
        return dict(
            void=float(void.float().mean()),
            void_error=sparse_confusion(
                gt, torch.where(void, num_classes, labels), num_classes + 1,
                IGNORE_INDEX),
            void_ignored=sparse_confusion(
                torch.where(void, IGNORE_INDEX, gt), labels, num_classes,
                IGNORE_INDEX))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Scores from the summed confusion counts.

        Args:
            results (list[dict]): Per-image sparse counts and L1.

        Returns:
            dict[str, float]: The scores listed in the class docstring.
        """
        num_classes = results[0]['num_classes']
        num_things = results[0]['num_things']
        metrics = {}
        for prefix in ('', 'real_'):
            scored = [r for r in results if f'{prefix}classes' in r]
            if not scored:
                continue
            scores = thing_stuff_scores(
                sum_confusion((r[f'{prefix}classes'] for r in scored),
                              num_classes),
                sum_confusion((r[f'{prefix}binary'] for r in scored), 2),
                num_things)
            metrics.update({f'{prefix}{k}': v for k, v in scores.items()})
        l1 = [r['l1'] for r in results if 'l1' in r]
        metrics['L1'] = float(np.mean(l1)) if l1 else float('nan')
        if any('void' in r for r in results):
            metrics['void'] = float(np.mean([r['void'] for r in results]))
            classes = range(num_classes)  # not the void class C
            for key, size in (('void_error', num_classes + 1),
                              ('void_ignored', num_classes)):
                cm = sum_confusion((r[key] for r in results), size)
                metrics[f'mIoU_{key}'] = segmentation_scores(
                    cm, dict(classes=classes))['mIoU_classes']
        metrics['num_images'] = len(results)
        return metrics


def _resize_labels(labels: torch.Tensor, shape: Sequence[int]) -> torch.Tensor:
    """Nearest-neighbour resize of a label map to ``shape``."""
    if tuple(labels.shape) == tuple(shape):
        return labels
    return F.interpolate(labels[None, None].float(), size=tuple(shape),
                         mode='nearest')[0, 0].long()


__all__ = ['ToySemanticAccuracy', 'IGNORE_INDEX']
