# Copyright (c) mmadvseg contributors. All rights reserved.
import os
import shutil

import pytest
import torch

from mmadvseg.utils.weights import (
    WeightsNotFoundError,
    hub_cache_path,
    resolve_weight_file,
)

URL = 'https://example.invalid/weights/tiny.pth'


@pytest.fixture
def downloads(tmp_path, monkeypatch) -> list:
    """Record the downloads (made from a local file) and allow them."""
    source = tmp_path / 'source.pth'
    source.write_bytes(b'weights')
    calls = []

    def fake_download(url, dst, progress=True):
        calls.append(url)
        shutil.copy(source, dst)

    monkeypatch.setattr(torch.hub, 'download_url_to_file', fake_download)
    monkeypatch.delenv('MMADVSEG_OFFLINE')
    return calls


def test_local_path(tmp_path):
    path = tmp_path / 'w.pth'
    path.write_bytes(b'x')
    assert resolve_weight_file(str(path), 'tiny weights') == str(path)
    with pytest.raises(WeightsNotFoundError) as err:
        resolve_weight_file(str(tmp_path / 'missing.pth'), 'tiny weights')
    assert isinstance(err.value, FileNotFoundError)  # callers catch either
    assert str(err.value).startswith(
        f"tiny weights not found: '{tmp_path / 'missing.pth'}'")


def test_url_found_in_the_hub_cache(tmp_path):
    cached = hub_cache_path(URL)
    assert cached.endswith('/hub/checkpoints/tiny.pth')
    (tmp_path / 'x').write_bytes(b'x')
    os.makedirs(os.path.dirname(cached))
    shutil.copy(tmp_path / 'x', cached)
    # neither a download nor the permission is needed
    assert resolve_weight_file(URL, 'tiny', allow_download=False) == cached


def test_offline_switch_wins(downloads, monkeypatch):
    monkeypatch.setenv('MMADVSEG_OFFLINE', '1')
    with pytest.raises(WeightsNotFoundError) as err:
        resolve_weight_file(URL, 'tiny weights')
    msg = str(err.value)
    assert 'MMADVSEG_OFFLINE is set' in msg
    assert URL in msg and hub_cache_path(URL) in msg
    assert 'give a local path instead of the URL' in msg  # default hint
    assert downloads == []


def test_download_only_with_permission(downloads):
    with pytest.raises(WeightsNotFoundError) as err:
        resolve_weight_file(
            URL, 'tiny weights', allow_download=False, hint='use --tiny')
    msg = str(err.value)
    assert msg.startswith('tiny weights not found in the hub cache')
    assert URL in msg and hub_cache_path(URL) in msg
    assert msg.endswith('or use --tiny.')
    assert downloads == []
    # the positional call of older callers downloads when allowed
    assert resolve_weight_file(URL, 'tiny weights') == hub_cache_path(URL)
    assert downloads == [URL]


def test_failed_download_is_explained(downloads, monkeypatch):

    def broken(url, dst, progress=True):
        raise ConnectionError('no route to host')

    monkeypatch.setattr(torch.hub, 'download_url_to_file', broken)
    with pytest.raises(WeightsNotFoundError,
                       match='Could not download the tiny weights '
                       r'\(ConnectionError: no route to host\)'):
        resolve_weight_file(URL, 'tiny weights')
