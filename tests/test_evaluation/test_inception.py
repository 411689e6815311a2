# Copyright (c) mmadvseg contributors. All rights reserved.
import shutil

import pytest
import torch

from mmadvseg.evaluation import AdvSegFIDKID
from mmadvseg.evaluation.inception import (
    FID_WEIGHTS_NAME,
    FID_WEIGHTS_URL,
    FIDInceptionV3,
    InceptionWeightsNotFoundError,
    default_inception_weights_path,
    resolve_inception_weights,
    weights_fingerprint,
)


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


def test_frozen_and_stays_in_eval(fid_inception):
    fid_inception.train()
    assert not fid_inception.training
    assert not any(m.training for m in fid_inception.modules())
    assert not any(p.requires_grad for p in fid_inception.parameters())


def test_explicit_path_wins(inception_weights, hub_with_weights, tmp_path):
    other = tmp_path / 'elsewhere.pth'
    shutil.copy(inception_weights, other)
    assert resolve_inception_weights(str(other)) == str(other)
    assert resolve_inception_weights() == default_inception_weights_path()
    assert default_inception_weights_path() == str(
        hub_with_weights / 'hub' / 'checkpoints' / FID_WEIGHTS_NAME)


def test_missing_weights_error_names_file_url_and_place(
        tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'empty_home'))
    with pytest.raises(InceptionWeightsNotFoundError) as err:
        resolve_inception_weights()
    msg = str(err.value)
    assert FID_WEIGHTS_NAME in msg
    assert FID_WEIGHTS_URL in msg
    assert str(tmp_path / 'empty_home' / 'hub' / 'checkpoints') in msg
    with pytest.raises(InceptionWeightsNotFoundError, match='missing.pth'):
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
    with pytest.raises(InceptionWeightsNotFoundError, match='MMADVSEG_OFF'):
        resolve_inception_weights(allow_download=True)
    monkeypatch.delenv('MMADVSEG_OFFLINE')
    with pytest.raises(InceptionWeightsNotFoundError):
        resolve_inception_weights()  # not allowed by default
    assert calls == []
    path = resolve_inception_weights(allow_download=True)
    assert calls == [FID_WEIGHTS_URL]
    assert path == default_inception_weights_path()
    assert weights_fingerprint(path) == weights_fingerprint(inception_weights)
