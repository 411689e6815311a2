# Copyright (c) mmadvseg contributors. All rights reserved.
"""Session-wide test settings: no network, no user caches, fixed threads."""
import os

import pytest

from mmadvseg.testing import make_paired, make_unpaired


def pytest_configure(config):
    # never download: every weight file a test needs is made by the test
    os.environ['MMADVSEG_OFFLINE'] = '1'
    # the cores are shared among pytest-xdist's workers (make test: -n auto)
    workers = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))
    threads = max(1, min(2, (os.cpu_count() or 1) // workers))
    os.environ.setdefault('OMP_NUM_THREADS', str(threads))
    import torch
    torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))
    from mmengine.registry import init_default_scope
    init_default_scope('mmagic')
    # register every component, as the configs' custom_imports do
    import mmadvseg.engine  # noqa: F401
    import mmadvseg.evaluation  # noqa: F401
    import mmadvseg.models  # noqa: F401


@pytest.fixture(autouse=True)
def _isolated_caches(tmp_path_factory, monkeypatch):
    """Build in mmagic's scope, as the configs do (whatever scope an
    earlier test left), and point the hub cache and our feature cache at
    empty folders, so no test sees (or fills) the user's caches."""
    from mmengine.registry import init_default_scope
    init_default_scope('mmagic')
    home = tmp_path_factory.mktemp('torch_home')
    monkeypatch.setenv('TORCH_HOME', str(home))
    monkeypatch.setenv('MMADVSEG_CACHE_DIR',
                       str(tmp_path_factory.mktemp('mmadvseg_cache')))
    yield home


@pytest.fixture
def paired_root(tmp_path) -> str:
    """A tiny paired dataset: 2 train and 2 test 32x32 A|B images."""
    return make_paired(tmp_path / 'paired')


@pytest.fixture
def unpaired_root(tmp_path) -> str:
    """A tiny unpaired dataset: 2 train and 2 test 32x32 images a domain."""
    return make_unpaired(tmp_path / 'unpaired')
