# Copyright (c) mmadvseg contributors. All rights reserved.
"""The sketch function of photos: a converter's record, or the caller's
choice."""
import pytest
from mmengine.config import Config

from mmadvseg.apis import (
    DEFAULT_PHOTO_SKETCH,
    photo_sketcher,
    recorded_sketcher,
)
from mmadvseg.datasets.convert import ConvertSpec
from mmadvseg.datasets.record import write_settings
from mmadvseg.datasets.sketch import build_sketcher
from mmadvseg.toy import ToyScenes


def test_the_sketch_settings_a_converter_recorded(tmp_path):
    sketcher = build_sketcher('xdog', preset='xdog_paper', sigma=0.7)
    root = tmp_path / 'dataset'
    write_settings(str(root), ConvertSpec(str(root), sketcher).settings())
    found, path = recorded_sketcher([str(root / 'paired'), str(root)])
    assert found == sketcher and path == str(root / 'conversion.json')
    assert recorded_sketcher([str(tmp_path / 'elsewhere')]) == (
        None, 'no record of how the training data was sketched in '
        f'{tmp_path / "elsewhere"}')
    toy = tmp_path / 'toy'
    write_settings(str(toy), ToyScenes(root=str(toy)).settings())
    assert recorded_sketcher([str(toy)]) == (
        None, "the training data's sketches were not drawn from photos "
        "(they are 'outline')")


def test_photo_sketcher_options_dataset_or_config(tmp_path, tiny_models):
    canny = build_sketcher('canny', low=10.0, thickness=2)
    assert photo_sketcher('', sketch='canny', canny_low=10.0,
                          canny_thickness=2, xdog_sigma=0.3,
                          device='cpu')[0] == canny
    with pytest.raises(TypeError, match="unknown sketch options.*'sigma'"):
        photo_sketcher('', sketch='xdog', sigma=0.3)
    # an ONNX model, a model without a record: the one default for photos
    default = build_sketcher(**DEFAULT_PHOTO_SKETCH)
    assert default == build_sketcher('xdog', preset='xdog_paper')
    found, source = photo_sketcher('')
    assert found == default and source.startswith('the default for photos')
    with pytest.raises(ValueError, match='no record of .* --sketch'):
        photo_sketcher('', dataset=str(tmp_path / 'elsewhere'))
    dataset = tmp_path / 'dataset'
    write_settings(str(dataset), ConvertSpec(str(dataset), canny).settings())
    assert photo_sketcher('', dataset=str(dataset)) == (
        canny, "the training data's sketch settings "
        f"({dataset / 'conversion.json'})")
    # the config's test data: its data_root or the folder above it
    config, _ = tiny_models['pix2pix']
    cfg = Config.fromfile(config)
    cfg.test_dataloader.dataset.data_root = str(dataset / 'paired')
    cfg.dump(str(tmp_path / 'model.py'))
    assert photo_sketcher(str(tmp_path / 'model.py'))[0] == canny
