# Copyright (c) mmadvseg contributors. All rights reserved.
"""Weight files: local paths, or URLs resolved through the hub cache.

:func:`resolve_weight_file` is the one lookup of the package; every missing
file raises :class:`WeightsNotFoundError` with a message that names the
file, its URL and where to put it.
"""
import os
import os.path as osp
from typing import Optional
from urllib.parse import urlparse

OFFLINE_ENV = 'MMADVSEG_OFFLINE'


class WeightsNotFoundError(FileNotFoundError):
    """A weight file is missing and may not (or could not) be downloaded."""


def is_url(name: str) -> bool:
    """Whether ``name`` is an http(s) URL."""
    return name.startswith(('http://', 'https://'))


def hub_cache_path(url: str) -> str:
    """Where ``torch.hub`` keeps the file of ``url``:
    ``$TORCH_HOME/hub/checkpoints/<basename>``."""
    import torch.hub
    return osp.join(torch.hub.get_dir(), 'checkpoints',
                    osp.basename(urlparse(url).path))


def downloads_allowed() -> bool:
    """Downloads are allowed unless ``MMADVSEG_OFFLINE`` is set to a true
    value (the test suite sets it)."""
    return os.environ.get(OFFLINE_ENV, '').lower() not in ('1', 'true', 'yes')


def resolve_weight_file(name: str,
                        what: str,
                        *,
                        allow_download: bool = True,
                        hint: Optional[str] = None) -> str:
    """Return a readable local file for a weight file.

    Args:
        name (str): A local path or an http(s) URL. A URL is looked up in the
            hub cache (``$TORCH_HOME/hub/checkpoints``) first and downloaded
            there only when it is absent, ``allow_download`` is set and
            ``MMADVSEG_OFFLINE`` is not.
        what (str): What the file is, for error messages (e.g.
            ``'Mask2Former checkpoint'``).
        allow_download (bool): Whether a URL missing from the hub cache may
            be downloaded. Defaults to True.
        hint (str, optional): The other ways to provide the file, ending the
            error message (e.g. the config key or command-line flag taking a
            path). Defaults to "give a local path instead of the URL".

    Returns:
        str: Path of an existing file.

    Raises:
        WeightsNotFoundError: The file is absent and cannot be downloaded;
            the message names the file, its URL and where to put it.
    """
    hint = hint or 'give a local path instead of the URL'
    if not is_url(name):
        path = osp.expanduser(str(name))
        if osp.isfile(path):
            return path
        raise WeightsNotFoundError(f'{what} not found: {path!r}. Check the '
                                   f'path, or {hint}.')
    cached = hub_cache_path(name)
    if osp.isfile(cached):
        return cached
    how = (f'Download {name} and save it as {cached!r} (the hub cache, '
           f'$TORCH_HOME/hub/checkpoints), or {hint}.')
    if not allow_download:
        raise WeightsNotFoundError(
            f'{what} not found in the hub cache and not downloaded without '
            f'permission. {how}')
    if not downloads_allowed():
        raise WeightsNotFoundError(
            f'{what} not found in the hub cache and downloads are disabled '
            f'({OFFLINE_ENV} is set). {how}')
    import torch.hub
    os.makedirs(osp.dirname(cached), exist_ok=True)
    try:
        torch.hub.download_url_to_file(name, cached, progress=True)
    except Exception as err:  # network errors come in many types
        raise WeightsNotFoundError(
            f'Could not download the {what} ({type(err).__name__}: {err}). '
            f'{how}') from err
    return cached
