# Copyright (c) mmadvseg contributors. All rights reserved.
"""The model arguments of tools/colorize.py (the unusable model files are
in test_colorizer.py)."""
import pytest

from mmadvseg.apis import split_model_args


def test_split_model_args():
    assert split_model_args(['c.py', 'c.pth', 'a.png', 'dir']) == (
        dict(model='c.py', checkpoint='c.pth'), ['a.png', 'dir'])
    assert split_model_args(['work', 'a.png']) == (
        dict(model='work', checkpoint=None), ['a.png'])
    assert split_model_args(['m.onnx', 'a', 'b']) == (
        dict(model='m.onnx', checkpoint=None), ['a', 'b'])
    with pytest.raises(ValueError, match='needs its checkpoint'):
        split_model_args(['c.py'])
    with pytest.raises(ValueError, match='no INPUT'):
        split_model_args(['c.py', 'c.pth'])
