# Copyright (c) mmadvseg contributors. All rights reserved.
import os
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from mmadvseg.evaluation.functional import (
    frechet_distance_from_features,
    kernel_inception_distance,
)
from mmadvseg.evaluation.metrics import AdvSegFIDKID, fid_kid
from mmadvseg.utils.weights import WeightsNotFoundError


def _bgr_tensor(rgb: np.ndarray) -> torch.Tensor:
    """RGB uint8 (H, W, 3) -> what mmagic's val_step hands to metrics:
    (3, H, W) float BGR in [0, 255]."""
    return torch.from_numpy(rgb[..., ::-1].copy()).permute(2, 0, 1).float()


def _samples(real: np.ndarray, fake: np.ndarray, paths=None) -> list:
    paths = paths or [f'/data/test/{i:03d}.png' for i in range(len(real))]
    return [
        dict(
            fake_photo=_bgr_tensor(f),
            img_photo=_bgr_tensor(r),
            img_photo_path=p) for r, f, p in zip(real, fake, paths)
    ]


class _ListDataset:
    """What the metric reads from a dataset: length, file infos, pipeline."""

    def __init__(self, files):
        self.files = [str(f) for f in files]
        self.pipeline = 'LoadPairedImageFromFile -> PackInputs'

    def __len__(self):
        return len(self.files)

    def get_data_info(self, idx):
        return dict(pair_path=self.files[idx])


def _loader(files):
    return SimpleNamespace(dataset=_ListDataset(files))


def test_registered_and_built_from_config(inception_weights, tmp_path):
    from mmagic.registry import METRICS
    assert METRICS.get('AdvSegFIDKID') is AdvSegFIDKID
    metric = METRICS.build(
        dict(
            type='AdvSegFIDKID',
            fake_key='fake_photo',
            real_key='img_photo',
            inception_path=inception_weights,
            cache_dir=str(tmp_path)))
    assert isinstance(metric, AdvSegFIDKID)
    assert metric.inception_path == inception_weights


def test_missing_weights_fail_at_build_time(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    with pytest.raises(WeightsNotFoundError,
                       match='pt_inception-2015-12-05'):
        AdvSegFIDKID()


def test_features_equal_pytorch_fid_on_saved_pngs(hub_with_weights,
                                                  image_factory,
                                                  write_folder, tmp_path):
    """Tensors in the data samples give the same features (and hence FID)
    as pytorch-fid's reading of the same images saved as PNG."""
    from pytorch_fid.fid_score import get_activations
    from pytorch_fid.inception import InceptionV3
    real = image_factory(2, kind='a', seed=1)
    fake = image_factory(2, kind='b', seed=2)
    write_folder(tmp_path / 'real', real)
    write_folder(tmp_path / 'fake', fake)
    # generator outputs are off the 8-bit grid: quantised like a PNG save
    samples = _samples(real, fake)
    for s in samples:
        s['fake_photo'] = (s['fake_photo'] + 0.3).clamp(0, 255)

    metric = AdvSegFIDKID(
        kid_subsets=10, use_cache=False, cache_dir=str(tmp_path / 'c'))
    metric.process({}, samples[:1])
    metric.process({}, samples[1:])
    fake_feats = np.stack([r['fake'] for r in metric.results])
    result = metric.evaluate(2)

    model = InceptionV3([3])
    act = {
        name: get_activations(
            sorted((tmp_path / name).glob('*.png')),
            model,
            batch_size=2,
            num_workers=0)
        for name in ('real', 'fake')
    }
    np.testing.assert_allclose(fake_feats, act['fake'], rtol=1e-4, atol=1e-5)
    expected = frechet_distance_from_features(act['real'], act['fake'])
    assert result['fid'] == pytest.approx(expected, rel=1e-4)
    kid = kernel_inception_distance(act['real'], act['fake'], num_subsets=10)
    assert result['kid'] == pytest.approx(kid[0], rel=1e-3, abs=1e-9)
    assert result['num_fake'] == result['num_real'] == 2
    assert result['fid'] > 0


def test_repeated_real_images_count_once(inception_weights, image_factory,
                                         tmp_path):
    """E.g. an unpaired test set with fewer photos than sketches: a photo
    seen twice is one real image (by path if known, else by pixels)."""
    real = image_factory(2, seed=3)
    fake = image_factory(3, kind='b', seed=4)
    metric = AdvSegFIDKID(
        inception_path=inception_weights,
        kid_subsets=2,
        use_cache=False,
        cache_dir=str(tmp_path))
    samples = _samples(real[[0, 1, 0]], fake)
    for s in samples:  # mmagic's PackInputs keeps no path by default
        del s['img_photo_path']
    computed = []
    orig = metric._features
    metric._features = lambda imgs: computed.append(len(imgs)) or orig(imgs)
    metric.process({}, samples[:2])
    metric.process({}, samples[2:])
    assert computed == [2, 2, 1]  # fakes, reals, fake (its real seen)
    result = metric.evaluate(3)
    assert result['num_fake'] == 3
    assert result['num_real'] == 2

    with_paths = _samples(real[[0, 0]], fake[:2], ['/d/a.png', '/d/b.png'])
    ids = [metric._real_id(s) for s in with_paths]
    assert ids == ['/d/a.png', '/d/b.png']  # the path wins over the pixels
    del with_paths[0]['img_photo_path'], with_paths[1]['img_photo_path']
    ids = [metric._real_id(s) for s in with_paths]
    assert ids[0] == ids[1] != metric._real_id(samples[1])


def test_real_feature_cache(inception_weights, image_factory, tmp_path,
                            monkeypatch):
    files = []
    for i in range(2):
        files.append(tmp_path / 'data' / f'{i}.png')
        files[-1].parent.mkdir(exist_ok=True)
        files[-1].write_bytes(b'x' * (10 + i))
    real = image_factory(2, seed=5)
    fake = image_factory(2, kind='b', seed=6)
    samples = _samples(real, fake, [str(f) for f in files])
    cfg = dict(
        inception_path=inception_weights,
        kid_subsets=3,
        cache_dir=str(tmp_path / 'cache'))
    module = torch.nn.Linear(1, 1)

    first = AdvSegFIDKID(**cfg)
    first.prepare(module, _loader(files))
    assert first.cache_file is not None
    assert not os.path.exists(first.cache_file)
    first.process({}, samples)
    result = first.evaluate()  # mmagic's loops pass no size
    assert os.path.isfile(first.cache_file)
    # written atomically: the final file only, no temporary one left
    assert os.listdir(tmp_path / 'cache') == [
        os.path.basename(first.cache_file)
    ]

    second = AdvSegFIDKID(**cfg)
    second.prepare(module, _loader(files))
    assert second.cache_file == first.cache_file
    seen = []
    orig = second._features
    monkeypatch.setattr(second, '_features',
                        lambda imgs: seen.append(len(imgs)) or orig(imgs))
    second.process({}, samples)
    assert seen == [2]  # fakes only: reals come from the cache
    assert second.evaluate() == pytest.approx(result)

    # a damaged cache (cut short, or garbage) is named, deleted and
    # recomputed to the same result; it used to stop every evaluation
    cache = first.cache_file
    content = open(cache, 'rb').read()
    for damaged in (content[:len(content) // 2], b'not a zip file'):
        with open(cache, 'wb') as f:
            f.write(damaged)
        again, log = AdvSegFIDKID(**cfg), []
        monkeypatch.setattr(fid_kid, 'print_log',
                            lambda msg, *args: log.append(msg))
        again.prepare(module, _loader(files))
        assert any(f'the feature cache {cache} is damaged' in line
                   for line in log)
        assert again._cached_real is None and not os.path.exists(cache)
        again.process({}, samples)
        assert again.evaluate() == pytest.approx(result)
        assert os.path.isfile(cache)

    # other data (a file changed) or other settings: another key
    files[0].write_bytes(b'changed-content')
    third = AdvSegFIDKID(**cfg)
    third.prepare(module, _loader(files))
    assert third.cache_file != first.cache_file
    assert third._cached_real is None
    fourth = AdvSegFIDKID(quantize=False, **cfg)
    fourth.prepare(module, _loader(files[1:]))
    assert fourth.cache_file not in (first.cache_file, third.cache_file)

    off = AdvSegFIDKID(use_cache=False, **cfg)
    off.prepare(module, _loader(files))
    assert off.cache_file is None

    monkeypatch.setenv('MMADVSEG_CACHE_DIR', str(tmp_path / 'env_cache'))
    default = AdvSegFIDKID(inception_path=inception_weights)
    assert default.cache_dir == str(tmp_path / 'env_cache' /
                                    'fid_real_features')


def test_wrong_key_is_explained(inception_weights, tmp_path):
    metric = AdvSegFIDKID(
        fake_key='fake_B', inception_path=inception_weights,
        cache_dir=str(tmp_path))
    sample = dict(fake_photo=torch.zeros(3, 8, 8), img_photo=torch.zeros(
        3, 8, 8))
    with pytest.raises(KeyError, match='fake_photo'):
        metric.process({}, [sample])


def test_a_damaged_cache_read_by_two_processes_at_once(
        tmp_path, monkeypatch, inception_weights):
    """Both find the damage and both delete: the second used to crash with
    FileNotFoundError inside the error handler."""
    cache = tmp_path / 'fid_real_x.npz'
    cache.write_bytes(b'not a zip file')
    first, second = (AdvSegFIDKID(inception_path=inception_weights)
                     for _ in range(2))
    real_load = fid_kid.np.load
    calls = []

    def the_other_one_first(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 1:  # the second reads (and deletes) it meanwhile
            assert second._load_cache(path) is None
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(fid_kid.np, 'load', the_other_one_first)
    assert first._load_cache(str(cache)) is None
    assert len(calls) == 2 and not cache.exists()
