# Copyright (c) mmadvseg contributors. All rights reserved.
"""Weight files: local paths, or URLs resolved through the hub cache."""
import os
import os.path as osp
from urllib.parse import urlparse

OFFLINE_ENV = 'MMADVSEG_OFFLINE'


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


def resolve_weight_file(name: str, what: str) -> str:
    """Return a readable local file for a weight file.

    Args:
        name (str): A local path or an http(s) URL. A URL is looked up in the
            hub cache first and downloaded there only when it is absent and
            downloads are allowed.
        what (str): What the file is, for error messages (e.g.
            ``'Mask2Former checkpoint'``).

    Returns:
        str: Path of an existing file.

    Raises:
        FileNotFoundError: The file is absent and cannot be downloaded; the
            message names the file, its URL and where to put it.
    """
    if not is_url(name):
        path = osp.expanduser(name)
        if osp.isfile(path):
            return path
        raise FileNotFoundError(f'{what} not found: {path!r}.')
    cached = hub_cache_path(name)
    if osp.isfile(cached):
        return cached
    how = (f'Download {name} and save it as {cached!r} (the hub cache, '
           f'$TORCH_HOME/hub/checkpoints), or give a local path instead of '
           f'the URL.')
    if not downloads_allowed():
        raise FileNotFoundError(
            f'{what} not found in the hub cache and downloads are disabled '
            f'({OFFLINE_ENV} is set). {how}')
    import torch.hub
    os.makedirs(osp.dirname(cached), exist_ok=True)
    try:
        torch.hub.download_url_to_file(name, cached, progress=True)
    except Exception as err:  # network errors come in many types
        raise FileNotFoundError(
            f'Could not download the {what} ({type(err).__name__}: {err}). '
            f'{how}') from err
    return cached
