# Copyright (c) mmadvseg contributors. All rights reserved.
import shutil

import pytest
import torch

from mmadvseg.evaluation import AdvSegFIDKID
from mmadvseg.evaluation.inception import (
    FID_WEIGHTS_NAME,
    FID_WEIGHTS_URL,
    FIDInceptionV3,
    resolve_inception_weights,
    weights_fingerprint,
)
from mmadvseg.utils.weights import WeightsNotFoundError, hub_cache_path


def test_same_network_as_pytorch_fid(hub_with_weights, fid_inception):
    """pytorch-fid's InceptionV3 loads the same file from the hub cache; both
    give the same parameters and the same features."""
    from pytorch_fid.inception import InceptionV3
    theirs = InceptionV3([InceptionV3.BLOCK_INDEX_BY_DIM[2048]]).eval()
    ours_sd, theirs_sd = fid_inception.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(theirs_sd)
    for key in ours_sd:
        assert torch.equal(ours_sd[key], theirs_sd[key]), key
    torch.manual_seed(0)
    # non-square, not 299: exercises the bilinear resize
    images = torch.rand(2, 3, 40, 56)
    with torch.no_grad():
        expected = theirs(images)[0].flatten(1)
        feats = fid_inception(images)
    assert feats.shape == (2, 2048) and feats.dtype == torch.float32
    torch.testing.assert_close(feats, expected, rtol=1e-5, atol=1e-6)
    # random-init features are not degenerate
    assert feats.std(0).mean() > 1e-3


def test_built_on_mmagic_blocks(fid_inception):
    """The network is mmagic's port of pytorch-fid's, not a copy."""
    from mmagic.evaluation.functional import fid_inception as mmagic_fid
    assert isinstance(fid_inception, mmagic_fid.InceptionV3)
    mixed_5b, mixed_6b = fid_inception.blocks[2][0], fid_inception.blocks[2][4]
    assert isinstance(mixed_5b, mmagic_fid.FIDInceptionA)
    assert isinstance(mixed_6b, mmagic_fid.FIDInceptionC)
    assert isinstance(fid_inception.blocks[3][1], mmagic_fid.FIDInceptionE_1)
    assert isinstance(fid_inception.blocks[3][2], mmagic_fid.FIDInceptionE_2)
    # weights on the CPU, none left on the meta device it was built on
    assert all(t.device.type == 'cpu' for t in fid_inception.state_dict()
               .values())
    conv = fid_inception.blocks[0][0].conv.weight
    assert conv.is_contiguous(memory_format=torch.channels_last)


def test_fused_copy_gives_the_same_features(fid_inception):
    fused = fid_inception.fused()
    assert not any(
        isinstance(m, torch.nn.BatchNorm2d) for m in fused.modules())
    assert any(
        isinstance(m, torch.nn.BatchNorm2d)
        for m in fid_inception.modules())  # the original is left as it was
    torch.manual_seed(1)
    images = torch.rand(2, 3, 64, 48)
    with torch.inference_mode():
        torch.testing.assert_close(
            fused(images), fid_inception(images), rtol=1e-5, atol=1e-5)


def test_frozen_and_stays_in_eval(fid_inception):
    fid_inception.train()
    assert not fid_inception.training
    assert not any(m.training for m in fid_inception.modules())
    assert not any(p.requires_grad for p in fid_inception.parameters())


def test_explicit_path_wins(inception_weights, hub_with_weights, tmp_path):
    other = tmp_path / 'elsewhere.pth'
    shutil.copy(inception_weights, other)
    assert resolve_inception_weights(str(other)) == str(other)
    assert resolve_inception_weights() == hub_cache_path(FID_WEIGHTS_URL)
    assert hub_cache_path(FID_WEIGHTS_URL) == str(
        hub_with_weights / 'hub' / 'checkpoints' / FID_WEIGHTS_NAME)


def test_missing_weights_error_names_file_url_and_place(
        tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'empty_home'))
    with pytest.raises(WeightsNotFoundError) as err:
        resolve_inception_weights()
    msg = str(err.value)
    assert FID_WEIGHTS_NAME in msg
    assert FID_WEIGHTS_URL in msg
    assert str(tmp_path / 'empty_home' / 'hub' / 'checkpoints') in msg
    # how else to provide it: a path (config key and flag) or the download
    assert 'inception_path=' in msg and '--inception' in msg
    assert 'allow_download=True' in msg
    with pytest.raises(WeightsNotFoundError, match='missing.pth'):
        FIDInceptionV3(str(tmp_path / 'missing.pth'))


def test_unreadable_or_foreign_weights_are_named(tmp_path):
    junk = tmp_path / 'junk.pth'
    junk.write_bytes(b'not a checkpoint')
    with pytest.raises(RuntimeError, match="Cannot read .*junk.pth"):
        FIDInceptionV3(str(junk))
    foreign = tmp_path / 'foreign.pth'
    torch.save(torch.nn.Conv2d(3, 3, 1).state_dict(), foreign)
    with pytest.raises(RuntimeError,
                       match=f"foreign.pth' is not .*{FID_WEIGHTS_NAME}"):
        FIDInceptionV3(str(foreign))
    tensor = tmp_path / 'tensor.pth'
    torch.save(torch.zeros(3), tensor)
    with pytest.raises(RuntimeError, match="tensor.pth' holds a Tensor"):
        FIDInceptionV3(str(tensor))
    # the metric reads the weights when it is built, not after training
    with pytest.raises(RuntimeError, match='junk.pth'):
        AdvSegFIDKID(inception_path=str(junk))


def test_download_only_when_allowed(inception_weights, tmp_path,
                                    monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'home'))
    calls = []

    def fake_download(url, dst, progress=True):
        calls.append(url)
        shutil.copy(inception_weights, dst)

    monkeypatch.setattr(torch.hub, 'download_url_to_file', fake_download)
    # offline switch (set for the whole test session) wins
    monkeypatch.setenv('MMADVSEG_OFFLINE', '1')
    with pytest.raises(WeightsNotFoundError, match='MMADVSEG_OFF'):
        resolve_inception_weights(allow_download=True)
    monkeypatch.delenv('MMADVSEG_OFFLINE')
    with pytest.raises(WeightsNotFoundError):
        resolve_inception_weights()  # not allowed by default
    with pytest.raises(WeightsNotFoundError):
        FIDInceptionV3()
    assert calls == []
    path = resolve_inception_weights(allow_download=True)
    assert calls == [FID_WEIGHTS_URL]
    assert path == hub_cache_path(FID_WEIGHTS_URL)
    assert weights_fingerprint(path) == weights_fingerprint(inception_weights)
