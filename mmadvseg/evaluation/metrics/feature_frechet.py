# Copyright (c) mmadvseg contributors. All rights reserved.
"""Fréchet distance between generated and real images in the features of
a judge network."""
from typing import Any, Dict, List, Sequence

import numpy as np
import torch
from mmagic.registry import METRICS

from ..functional import frechet_distance_from_features, to_unit_rgb
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
        fakes = [self._get_image(s, self.fake_key) for s in data_samples]
        reals = [self._get_image(s, self.real_key) for s in data_samples]
        device = self._target_device(fakes[0])
        judge = self._get_segmenter(device)
        with torch.inference_mode():
            for start in range(0, len(fakes), self.batch_size):
                stop = start + self.batch_size
                images = torch.stack(fakes[start:stop] + reals[start:stop])
                rgb = to_unit_rgb(images.to(device), self.channel_order,
                                  self.value_range, self.quantize)
                feats = judge.features(rgb.flip(1) * 2 - 1).cpu().numpy()
                n = len(fakes[start:stop])
                for i in range(n):
                    self.results.append(
                        dict(fake=feats[i], real=feats[n + i]))

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
