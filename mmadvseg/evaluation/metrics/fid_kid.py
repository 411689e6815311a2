# Copyright (c) mmadvseg contributors. All rights reserved.
"""FID (pytorch-fid compatible) and KID of translated images."""
import contextlib
import hashlib
import json
import logging
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
from mmagic.registry import METRICS
from mmengine.logging import print_log
from torch.utils.data import DataLoader

from ...utils.fileio import atomic_write
from ..functional import (
    frechet_distance_from_features,
    kernel_inception_distance,
    to_unit_rgb,
)
from ..inception import FID_INPUT_SIZE, FIDInceptionV3, weights_fingerprint
from .base import TranslationMetric

CACHE_VERSION = 1
CACHE_DIR_ENV = 'MMADVSEG_CACHE_DIR'
DEFAULT_CACHE_DIR = osp.join('~', '.cache', 'mmadvseg')


@METRICS.register_module()
class AdvSegFIDKID(TranslationMetric):
    """FID and KID between generated images and their real counterparts.

    Features are those of ``python -m pytorch_fid`` (the paper's tool): the
    FID InceptionV3 with ``pt_inception-2015-12-05-6726825d.pth``, RGB input
    in [0, 1] resized bilinearly to 299, 2048-d pool features (computed with
    its batch norms folded into the convolutions). Images are quantised to 8
    bits first by default, so the numbers equal pytorch-fid's on the same
    images saved as PNG. The Fréchet distance is computed in
    float64 without a non-symmetric matrix square root; KID is the unbiased
    cubic-kernel MMD^2 over random subsets (clean-fid / torch-fidelity
    defaults). Every item of the validation set is used once (no
    ``fake_nums``); a real image seen several times (e.g. in an unpaired
    test set with fewer photos than sketches) counts once: real images are
    identified by ``<real_key>_path`` when the data samples carry it, else by
    a hash of their pixels.

    Real-image features are cached on disk (``cache_dir``), keyed by the
    dataset's image paths, sizes and mtimes, its pipeline, ``real_key``, the
    Inception weight file's hash and the preprocessing settings; a later run
    with the same key skips the real images.

    Reported: ``fid``, ``kid``, ``kid_std``, ``num_fake``, ``num_real``.

    Args:
        fake_key (str): Key of the generated image in the data samples, e.g.
            ``'fake_photo'``.
        real_key (str): Key of the real image, e.g. ``'img_photo'``.
        inception_path (str, optional): Inception weight file. None takes
            ``$TORCH_HOME/hub/checkpoints/pt_inception-2015-12-05-6726825d.pth``.
        allow_download (bool): Download the weight file there when missing.
            Defaults to False (a clear error names the file and its URL).
        kid_subsets (int): KID subsets. Defaults to 100.
        kid_subset_size (int): Maximum KID subset size. Defaults to 1000.
        kid_seed (int): Seed of the KID subset sampler. Defaults to 0.
        use_cache (bool): Cache real-image features on disk. Defaults to True.
        cache_dir (str, optional): Cache directory. Defaults to
            ``$MMADVSEG_CACHE_DIR/fid_real_features``, with
            ``MMADVSEG_CACHE_DIR`` defaulting to ``~/.cache/mmadvseg``.
        batch_size (int): Images per Inception forward pass. Defaults to 50.
        **kwargs: ``sample_model``, ``channel_order``, ``value_range``,
            ``quantize``, ``device``, ``collect_device``, ``prefix`` of
            :class:`TranslationMetric`.
    """

    def __init__(self,
                 fake_key: str = 'fake_photo',
                 real_key: str = 'img_photo',
                 inception_path: Optional[str] = None,
                 allow_download: bool = False,
                 kid_subsets: int = 100,
                 kid_subset_size: int = 1000,
                 kid_seed: int = 0,
                 use_cache: bool = True,
                 cache_dir: Optional[str] = None,
                 batch_size: int = 50,
                 **kwargs) -> None:
        super().__init__(fake_key=fake_key, real_key=real_key, **kwargs)
        # read the weights now: a missing or bad file fails at build time,
        # not after a training epoch; moved to the evaluation device later
        inception = FIDInceptionV3(
            inception_path, allow_download=allow_download)
        self.inception_path = inception.weights_path
        self.inception = inception.fused()
        self.kid_subsets = kid_subsets
        self.kid_subset_size = kid_subset_size
        self.kid_seed = kid_seed
        self.use_cache = use_cache
        if cache_dir is None:
            cache_dir = osp.join(
                os.environ.get(CACHE_DIR_ENV, DEFAULT_CACHE_DIR),
                'fid_real_features')
        self.cache_dir = osp.expanduser(cache_dir)
        self.batch_size = batch_size
        self.cache_file: Optional[str] = None
        self.cache_meta: Optional[dict] = None
        self._cached_real: Optional[np.ndarray] = None
        self._seen_real: set = set()

    # -- preparation ------------------------------------------------------
    def prepare(self, module: nn.Module, dataloader: DataLoader) -> None:
        """Work out the real-feature cache key and load a matching cache.

        Args:
            module (nn.Module): The model to evaluate.
            dataloader (DataLoader): The validation dataloader.
        """
        super().prepare(module, dataloader)
        self.cache_file, self.cache_meta, self._cached_real = None, None, None
        if not self.use_cache:
            return
        meta = self._cache_meta(dataloader.dataset)
        if meta is None:
            print_log(
                f'{type(self).__name__}: the dataset does not list its image '
                'files; real-image features are not cached.', 'current')
            return
        digest = hashlib.sha256(
            json.dumps(meta, sort_keys=True).encode()).hexdigest()[:24]
        self.cache_meta = meta
        self.cache_file = osp.join(self.cache_dir,
                                   f'fid_real_{self.real_key}_{digest}.npz')
        if osp.isfile(self.cache_file):
            self._cached_real = self._load_cache(self.cache_file)

    def _load_cache(self, path: str) -> Optional[np.ndarray]:
        """Cached real-image features; a damaged cache (interrupted copy,
        full disk) is named, deleted and recomputed, never fatal."""
        try:
            with np.load(path) as data:
                features = data['features']
            if features.ndim != 2 or not np.isfinite(features).all():
                raise ValueError(f'features of shape {features.shape}')
        except Exception as err:  # noqa: BLE001  (any damage: recompute)
            print_log(
                f'{type(self).__name__}: the feature cache {path} is damaged '
                f'({type(err).__name__}: {err}); deleted, the real-image '
                'features are computed again.', 'current', logging.WARNING)
            # another process may have found the damage and deleted it
            # first; the recomputed cache replaces it atomically
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
            return None
        print_log(
            f'{type(self).__name__}: loaded {len(features)} real-image '
            f'features from {path}', 'current')
        return features

    def _cache_meta(self, dataset: Any) -> Optional[dict]:
        """What the real features depend on (None if unknown)."""
        if not hasattr(dataset, 'get_data_info'):
            return None
        files = set()
        try:
            for idx in range(len(dataset)):
                info = dataset.get_data_info(idx)
                files.update(
                    osp.abspath(v) for k, v in info.items()
                    if k.endswith('path') and isinstance(v, str))
        except Exception:  # datasets without file infos
            return None
        if not files:
            return None
        data_hash = hashlib.sha256()
        for path in sorted(files):
            stat = os.stat(path) if osp.exists(path) else None
            data_hash.update(
                f'{path}|{stat.st_size if stat else -1}|'
                f'{stat.st_mtime_ns if stat else -1}\n'.encode())
        return dict(
            version=CACHE_VERSION,
            num_files=len(files),
            files=data_hash.hexdigest(),
            pipeline=repr(getattr(dataset, 'pipeline', None)),
            real_key=self.real_key,
            weights=weights_fingerprint(self.inception_path),
            resize=f'bilinear-{FID_INPUT_SIZE}-align_corners=False',
            quantize=self.quantize,
            channel_order=self.channel_order,
            value_range=list(self.value_range))

    # -- per batch --------------------------------------------------------
    def _features(self, images: List[torch.Tensor]) -> np.ndarray:
        """(N, 2048) float32 features of (3, H, W) images."""
        device = self._target_device(images[0])
        self.inception.to(device)
        out = np.empty((len(images), 2048), dtype=np.float32)
        groups: Dict[tuple, List[int]] = {}
        for idx, img in enumerate(images):
            groups.setdefault(tuple(img.shape), []).append(idx)
        with torch.inference_mode():
            for indices in groups.values():
                for start in range(0, len(indices), self.batch_size):
                    chunk = indices[start:start + self.batch_size]
                    batch = torch.stack([images[i] for i in chunk]).to(device)
                    batch = to_unit_rgb(batch, self.channel_order,
                                        self.value_range, self.quantize)
                    out[chunk] = self.inception(batch).float().cpu().numpy()
        return out

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Compute Inception features of a batch.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): The model's outputs as dicts.
        """
        fakes = [self._get_image(s, self.fake_key) for s in data_samples]
        fake_feats = self._features(fakes)
        ids = [self._real_id(s) for s in data_samples]
        real_feats: List[Optional[np.ndarray]] = [None] * len(data_samples)
        if self._cached_real is None:
            # each real image once per evaluation (and per rank)
            todo = []
            for idx, real_id in enumerate(ids):
                if real_id not in self._seen_real:
                    self._seen_real.add(real_id)
                    todo.append(idx)
            if todo:
                feats = self._features(
                    [self._get_image(data_samples[i], self.real_key)
                     for i in todo])
                for i, feat in zip(todo, feats):
                    real_feats[i] = feat
        for fake, real, real_id in zip(fake_feats, real_feats, ids):
            self.results.append(dict(fake=fake, real=real, real_id=real_id))

    def evaluate(self, size: Optional[int] = None) -> Dict[str, Any]:
        """Compute the metrics (see :meth:`TranslationMetric.evaluate`)."""
        self._seen_real.clear()
        return super().evaluate(size)

    def _real_id(self, sample: dict) -> str:
        """Identity of the real image: its path when the data sample has it
        (``<real_key>_path`` in the metainfo), else a hash of its pixels."""
        path = sample.get(f'{self.real_key}_path')
        if isinstance(path, str):
            return path
        img = self._get_image(sample, self.real_key)
        return 'sha1:' + hashlib.sha1(
            img.detach().cpu().contiguous().numpy().tobytes()).hexdigest()

    # -- at the end -------------------------------------------------------
    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """FID and KID over all collected items.

        Args:
            results (list[dict]): Per-item features from :meth:`process`.

        Returns:
            dict[str, float]: ``fid``, ``kid``, ``kid_std``, ``num_fake``,
            ``num_real``.
        """
        fake = np.stack([r['fake'] for r in results])
        if self._cached_real is not None:
            real = self._cached_real
        else:
            real_list, seen = [], set()
            for r in results:
                if r['real'] is not None and r['real_id'] not in seen:
                    seen.add(r['real_id'])
                    real_list.append(r['real'])
            real = np.stack(real_list)
            self._save_cache(real)
        fid = frechet_distance_from_features(real, fake)
        kid, kid_std = kernel_inception_distance(
            real,
            fake,
            num_subsets=self.kid_subsets,
            subset_size=self.kid_subset_size,
            seed=self.kid_seed)
        return dict(
            fid=fid,
            kid=kid,
            kid_std=kid_std,
            num_fake=len(fake),
            num_real=len(real))

    def _save_cache(self, real: np.ndarray) -> None:
        if self.cache_file is None:
            return
        with atomic_write(self.cache_file, 'wb') as f:
            np.savez(f, features=real, meta=json.dumps(self.cache_meta))
        self._cached_real = real
        print_log(
            f'{type(self).__name__}: cached {len(real)} real-image features '
            f'in {self.cache_file}', 'current')
