# Copyright (c) mmadvseg contributors. All rights reserved.
"""Segmentation consistency between generated images and their real
counterparts."""
from typing import Any, Dict, List, Sequence

import torch
from mmagic.registry import METRICS

from ..functional import thing_stuff_scores
from .base import (
    SegmenterMetric,
    segment_labels,
    sparse_confusion,
    sum_confusion,
)


@METRICS.register_module()
class SegConsistency(SegmenterMetric):
    """Does the colorization keep the scene's semantics?

    The frozen panoptic segmenter (``FrozenPanopticSegmenter``) segments the
    generated image and its real counterpart (paired data); the per-pixel
    argmax labels of the real image serve as reference. Reported, from the
    confusion matrix accumulated over the whole validation set:

    - ``mIoU``, ``aAcc``: over all classes (classes absent from both maps of
      every image are left out of the mean);
    - ``mIoU_thing``, ``aAcc_thing``, ``mIoU_stuff``, ``aAcc_stuff``: the
      same restricted to thing classes / stuff classes (group accuracy =
      accuracy over pixels whose reference label is in the group);
    - ``aAcc_binary``, ``mIoU_binary``: thing-vs-stuff agreement of the
      argmax of the segmenter's binary (thing, stuff) map;
    - ``num_images``.

    Args:
        segmenter (dict | nn.Module): Config of the segmenter for mmagic's
            ``MODELS`` (e.g. ``dict(type='FrozenPanopticSegmenter')``), built
            lazily on the evaluation device, or a module. It takes BGR images
            in [-1, 1] and returns ``(probs, binary)`` with attributes
            ``num_classes`` and ``num_things``.
        fake_key (str): Key of the generated image. Defaults to
            'fake_photo'.
        real_key (str): Key of the real image. Defaults to 'img_photo'.
        batch_size (int): Images per segmenter forward pass. Defaults to 8.
        **kwargs: ``sample_model``, ``channel_order``, ``value_range``,
            ``quantize``, ``device``, ``collect_device``, ``prefix`` of
            :class:`TranslationMetric`.
    """

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Segment fakes and reals of a batch, keep sparse confusion counts.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): The model's outputs as dicts.
        """
        for segmenter, samples, fake, real in self.batches(
                data_samples, paired=True):
            labels, binary = segment_labels(segmenter, torch.cat([fake, real]))
            n, num_classes = len(samples), int(segmenter.num_classes)
            for i in range(n):
                self.results.append(
                    dict(
                        classes=sparse_confusion(labels[n + i], labels[i],
                                                 num_classes),
                        binary=sparse_confusion(binary[n + i], binary[i], 2),
                        num_classes=num_classes,
                        num_things=int(segmenter.num_things)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Scores from the summed confusion matrices.

        Args:
            results (list[dict]): Per-image sparse confusion counts.

        Returns:
            dict[str, float]: The scores listed in the class docstring.
        """
        num_classes = results[0]['num_classes']
        num_things = results[0]['num_things']
        scores = thing_stuff_scores(
            sum_confusion((r['classes'] for r in results), num_classes),
            sum_confusion((r['binary'] for r in results), 2), num_things)
        scores['num_images'] = len(results)
        return scores

