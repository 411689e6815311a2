# Copyright (c) mmadvseg contributors. All rights reserved.
"""The demo's model: the AdvSegLoss run of ``make demo``, found by the web
demo's tool."""
import pytest

from mmadvseg.toy.demo import demo_model


def test_demo_model_is_the_advseg_run(tmp_path):
    with pytest.raises(FileNotFoundError, match='run `make demo` in '):
        demo_model(str(tmp_path))
    run_dir = tmp_path / 'runs_distinct' / 'pix2pix_both_seed0'
    run_dir.mkdir(parents=True)
    (run_dir / 'last_checkpoint').write_text('iter_100.pth')
    assert demo_model(str(tmp_path)) == str(run_dir)
