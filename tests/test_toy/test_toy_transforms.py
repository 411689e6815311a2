# Copyright (c) mmadvseg contributors. All rights reserved.
"""LoadToyLabels puts each scene's labels into the data samples."""
import numpy as np
import pytest

from mmadvseg.datasets.layouts import paired_path, unpaired_paths
from mmadvseg.toy import ToyScenes
from mmadvseg.toy.transforms import LoadToyLabels


@pytest.fixture(scope='module')
def scenes(tmp_path_factory):
    return ToyScenes(str(tmp_path_factory.mktemp('toy')), 1, 3, 40).ensure()


def test_paired_sample_gets_its_scene_labels(scenes):
    path = paired_path(scenes.root, 'test', '000001')
    out = LoadToyLabels()(dict(pair_path=path))
    np.testing.assert_array_equal(out['gt_seg'],
                                  ToyScenes.read_labels(path))
    assert out['gt_seg'].shape == (40, 40) and 'same_scene' not in out


def test_unpaired_sample_knows_whether_the_photo_is_the_same_scene(scenes):
    sketch, photo = unpaired_paths(scenes.root, 'test', '000002')
    other = unpaired_paths(scenes.root, 'test', '000000')[1]
    transform = LoadToyLabels('img_A_path', real_path_key='img_B_path')
    same = transform(dict(img_A_path=sketch, img_B_path=photo))
    assert same['same_scene'] is True
    np.testing.assert_array_equal(same['gt_seg'],
                                  ToyScenes.read_labels(sketch))
    assert transform(dict(img_A_path=sketch,
                          img_B_path=other))['same_scene'] is False


def test_registered_and_in_the_toy_test_pipelines():
    from mmagic.registry import TRANSFORMS
    from mmengine.config import Config

    from mmadvseg.utils.config import repo_config
    assert TRANSFORMS.get('LoadToyLabels') is LoadToyLabels
    for model in ('pix2pix', 'cyclegan'):
        cfg = Config.fromfile(repo_config(f'toy/{model}_both_toy.py'))
        steps = [s.type for s in cfg.test_dataloader.dataset.pipeline]
        assert 'LoadToyLabels' in steps
        assert 'gt_seg' in cfg.test_dataloader.dataset.pipeline[-1].meta_keys
        assert 'mmadvseg.toy.transforms' in cfg.custom_imports.imports
