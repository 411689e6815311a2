# Copyright (c) mmadvseg contributors. All rights reserved.
"""Fréchet distance between generated and real images in the features of
a judge network."""
from typing import Any, Dict, List, Sequence

import numpy as np
import torch
from mmagic.registry import METRICS

from ..functional import frechet_distance_from_features
from .base import SegmenterMetric


@METRICS.register_module()
class FeatureFrechetDistance(SegmenterMetric):
    """Fréchet distance between generated and real images in the features of
    a judge network (``features(bgr) -> (N, D)``, e.g. ``PanopticJudge``'s
    pooled FPN features): a realism measure that needs no Inception weights
    and is computed by a network the generator never saw.

    Reported: ``fd`` (squared Fréchet distance), ``num_images``.

    Args:
        segmenter (dict | nn.Module): The judge (config for mmagic's
            ``MODELS``, built lazily, or a module) with a ``features``
            method.
        fake_key (str): Key of the generated image. Defaults to
            'fake_photo'.
        real_key (str): Key of the real image. Defaults to 'img_photo'.
        batch_size (int): Images per forward pass. Defaults to 8.
        **kwargs: The other arguments of ``TranslationMetric``.
    """

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Features of the fakes and reals of a batch.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): The model's outputs as dicts.
        """
        for judge, samples, fake, real in self.batches(data_samples):
            bgr = torch.cat([fake, real]).flip(1) * 2 - 1
            feats = judge.features(bgr).cpu().numpy()
            n = len(samples)
            self.results += [
                dict(fake=feats[i], real=feats[n + i]) for i in range(n)
            ]

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """The Fréchet distance of the two feature sets.

        Args:
            results (list[dict]): Per-image fake and real features.

        Returns:
            dict[str, float]: ``fd`` and ``num_images``.
        """
        fake = np.stack([r['fake'] for r in results]).astype(np.float64)
        real = np.stack([r['real'] for r in results]).astype(np.float64)
        return dict(fd=frechet_distance_from_features(fake, real),
                    num_images=len(results))


__all__ = ['FeatureFrechetDistance']
