# Copyright (c) mmadvseg contributors. All rights reserved.
"""The pieces of tools/colorize.py's body (the tool itself runs in
tests/test_tools/test_colorize.py)."""
import pytest

from mmadvseg.apis.command import recorded_sketcher, split_model_args
from mmadvseg.datasets.convert import ConvertSpec
from mmadvseg.datasets.record import write_settings
from mmadvseg.datasets.sketch import build_sketcher
from mmadvseg.toy import ToyScenes


def test_split_model_args():
    assert split_model_args(['c.py', 'c.pth', 'a.png', 'dir']) == (
        'c.py', 'c.pth', ['a.png', 'dir'])
    assert split_model_args(['work', 'a.png']) == ('work', None, ['a.png'])
    assert split_model_args(['m.onnx', 'a', 'b']) == ('m.onnx', None,
                                                      ['a', 'b'])
    with pytest.raises(ValueError, match='needs its checkpoint'):
        split_model_args(['c.py'])
    with pytest.raises(ValueError, match='no INPUT'):
        split_model_args(['c.py', 'c.pth'])


def test_the_sketch_settings_a_converter_recorded(tmp_path):
    sketcher = build_sketcher('xdog', preset='xdog_paper', sigma=0.7)
    root = tmp_path / 'dataset'
    write_settings(str(root), ConvertSpec(str(root), sketcher).settings())
    found, path = recorded_sketcher([str(root / 'paired'), str(root)])
    assert found == sketcher and path == str(root / 'conversion.json')
    with pytest.raises(ValueError, match='no conversion.json in .*elsewhere'):
        recorded_sketcher([str(tmp_path / 'elsewhere')])
    toy = tmp_path / 'toy'
    write_settings(str(toy), ToyScenes(root=str(toy)).settings())
    with pytest.raises(ValueError, match="sketch='outline'.*--sketch"):
        recorded_sketcher([str(toy)])
