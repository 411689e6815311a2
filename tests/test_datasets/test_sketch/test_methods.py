# Copyright (c) mmadvseg contributors. All rights reserved.
import argparse
import pickle

import numpy as np
import pytest

from mmadvseg.datasets.sketch import (
    SKETCH_METHODS,
    SKETCH_OPTIONS,
    Sketcher,
    add_sketch_args,
    build_sketcher,
    canny,
    sketcher_from_args,
    sketcher_from_options,
    xdog,
)

#: The sketch flags of every converter (CHANGELOG: they never change).
FLAGS = [
    '--sketch', '--xdog-preset', '--xdog-sigma', '--xdog-k', '--xdog-gamma',
    '--xdog-phi', '--xdog-eps', '--xdog-threshold', '--canny-low',
    '--canny-high', '--canny-blur-sigma', '--canny-thickness',
    '--hed-weights', '--hed-postprocess', '--hed-threshold',
    '--hed-min-size', '--hed-input-size', '--device'
]


def _parser():
    parser = argparse.ArgumentParser()
    add_sketch_args(parser)
    return parser


def test_build_sketcher(tmp_path, hed_weights):
    sk = build_sketcher('xdog', preset='xdog_paper', phi=100.0, eps=None)
    assert dict(sk.params)['phi'] == 100.0
    assert dict(sk.params)['k'] == 1.6
    assert pickle.loads(pickle.dumps(sk)) == sk
    assert build_sketcher('canny', low=10, high=20).method == 'canny'
    with pytest.raises(ValueError, match='unknown sketch method'):
        build_sketcher('pencil')
    with pytest.raises(TypeError):
        build_sketcher('canny', sigma=2)  # a parameter canny does not have
    with pytest.raises(TypeError, match='bad hed sketch parameters'):
        build_sketcher('hed', weights=hed_weights, sigma=2)
    with pytest.raises(KeyError, match='unknown XDoG preset'):
        build_sketcher('xdog', preset='pencil')
    missing = str(tmp_path / 'hed.pth')
    with pytest.raises(FileNotFoundError, match='HED weights not found'):
        build_sketcher('hed', weights=missing)
    with pytest.raises(FileNotFoundError, match='HED weights not found'):
        build_sketcher('hed')
    hed = build_sketcher('hed', weights=hed_weights, postprocess=True)
    out = hed(np.zeros((20, 20, 3), np.uint8))
    assert out.shape == (20, 20) and set(np.unique(out)) <= {0, 255}


def test_sketcher_calls_the_method(photo_factory):
    photo = photo_factory(0)
    sk = build_sketcher('canny', low=10.0, high=30.0, thickness=2)
    np.testing.assert_array_equal(
        sk(photo), canny(photo, low=10.0, high=30.0, thickness=2))
    np.testing.assert_array_equal(
        build_sketcher('xdog')(photo), xdog(photo))  # reference preset


def test_settings_leave_out_the_device(hed_weights):
    sk = build_sketcher('hed', weights=hed_weights, device='cpu')
    assert sk.device == 'cpu' and build_sketcher('canny').device == 'cpu'
    settings = sk.settings()
    assert settings['sketch'] == 'hed'
    assert settings['params'] == dict(weights=hed_weights)


def test_flags_come_from_the_table():
    flags = [flag for action in _parser()._actions
             for flag in action.option_strings if flag not in ('-h',
                                                               '--help')]
    assert flags == FLAGS
    assert set(SKETCH_METHODS) == {'xdog', 'canny', 'hed'}
    defaults = _parser().parse_args([])
    assert defaults.sketch == 'xdog' and defaults.xdog_preset == 'reference'
    assert defaults.device == 'cpu' and defaults.hed_postprocess is False
    with pytest.raises(SystemExit):
        _parser().parse_args(['--xdog-preset', 'pencil'])


def test_sketcher_from_args(hed_weights):
    parse = _parser().parse_args
    assert sketcher_from_args(parse([])) == build_sketcher('xdog')
    assert sketcher_from_args(parse([
        '--xdog-preset', 'xdog_paper', '--xdog-phi', '100'
    ])) == build_sketcher('xdog', preset='xdog_paper', phi=100.0)
    assert sketcher_from_args(parse([
        '--sketch', 'canny', '--canny-low', '10', '--canny-high', '20',
        '--canny-blur-sigma', '0', '--canny-thickness', '2'
    ])) == build_sketcher('canny', low=10.0, high=20.0, blur_sigma=0.0,
                          thickness=2)
    hed = sketcher_from_args(parse([
        '--sketch', 'hed', '--hed-weights', hed_weights, '--hed-postprocess',
        '--hed-threshold', '0.2', '--hed-min-size', '3',
        '--hed-input-size', '32', '--device', 'cpu'
    ]))
    assert hed == Sketcher('hed', (
        ('device', 'cpu'), ('input_size', 32), ('min_size', 3),
        ('postprocess', True), ('threshold', 0.2), ('weights', hed_weights)))
    with pytest.raises(FileNotFoundError, match='--hed-weights'):
        sketcher_from_args(parse(['--sketch', 'hed']))


def test_sketcher_from_options_by_name():
    assert list(SKETCH_OPTIONS) == [flag[2:].replace('-', '_')
                                    for flag in FLAGS[1:]]
    assert sketcher_from_options() == build_sketcher('xdog')
    # the other methods' options are ignored, None is the default
    assert sketcher_from_options(
        'canny', canny_low=10.0, canny_high=None, xdog_phi=3.0,
        device='cpu') == build_sketcher('canny', low=10.0)
    with pytest.raises(TypeError, match=r"unknown sketch options \['low'\]"):
        sketcher_from_options('canny', low=10.0)
    with pytest.raises(ValueError, match='unknown sketch method'):
        sketcher_from_options('pencil')
    parser = argparse.ArgumentParser()
    add_sketch_args(parser, default=None)
    assert parser.parse_args([]).sketch is None
