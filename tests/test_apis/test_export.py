# Copyright (c) mmadvseg contributors. All rights reserved.
"""ONNX export of tiny generators, onnxruntime against PyTorch on real test
sketches, and the torch-free deployment path."""
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import onnx
import pytest
from conftest import sketch

from mmadvseg.apis import Colorizer, ModelFileError, config_test_sketches
from mmadvseg.apis.export import export_onnx
from mmadvseg.apis.spec import ONNX_METADATA_KEY
from mmadvseg.apis.torch_backend import load_config


@pytest.fixture(scope='module')
def exported(tiny_models, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp('onnx')
    return {
        name: export_onnx(*files, str(root / f'{name}.onnx'))
        for name, files in tiny_models.items()
    }


@pytest.mark.parametrize('name', ['pix2pix', 'cyclegan'])
def test_export_matches_pytorch_on_the_test_sketches(exported, name,
                                                     tiny_models):
    report = exported[name]
    assert report.max_abs_diff <= 1e-3
    # the config's test sketches (left halves of the 40 px A|B pairs), at
    # their size and at an odd one
    assert report.checked.startswith('the test sketches of the config')
    assert '40x40, 33x37' in report.checked
    model = onnx.load(report.path)
    meta = {p.key: p.value for p in model.metadata_props}
    spec = json.loads(meta[ONNX_METADATA_KEY])
    assert spec['size_multiple'] == 4
    assert len(spec['dropout_layers']) == (name == 'pix2pix')
    sketches = config_test_sketches(load_config(tiny_models[name][0]))
    assert [s.shape for s in sketches] == [(40, 40, 3)] * 2


def test_onnx_colorizer_agrees_with_pytorch(exported, tiny_models):
    img = sketch(517, 333)
    [torch_out] = Colorizer(*tiny_models['cyclegan'])(img)['predictions']
    [onnx_out] = Colorizer(exported['cyclegan'].path)(img)['predictions']
    assert onnx_out.shape == img.shape
    assert np.abs(onnx_out.astype(int) - torch_out).max() <= 1
    # Pix2Pix: reproducible by seed, whatever the batch (the same colours as
    # PyTorch's: test_onnx_backend.py)
    pix2pix = Colorizer(exported['pix2pix'].path)
    assert pix2pix.stochastic
    first = pix2pix([img, img[:250, :190]], seed=4,
                    batch_size=2)['predictions']
    [again] = pix2pix(img, seed=4)['predictions']
    np.testing.assert_array_equal(first[0], again)
    [other] = pix2pix(img, seed=5)['predictions']
    assert np.abs(other.astype(int) - first[0]).max() > 10


def test_a_failed_check_writes_nothing(tiny_models, tmp_path):
    out = tmp_path / 'model.onnx'
    with pytest.raises(RuntimeError, match='is not written'):
        export_onnx(*tiny_models['cyclegan'], str(out), tolerance=0.0,
                    sketches=[sketch(64, 64)])
    assert not out.exists() and not list(tmp_path.iterdir())


def test_without_test_sketches_check_images_are_needed(tmp_path):
    from mmadvseg.testing.tiny_checkpoints import write_tiny_model
    files = write_tiny_model(tmp_path / 'model', 'AdvSegCycleGAN')
    out = tmp_path / 'model.onnx'
    with pytest.raises(ValueError, match='its test sketches .* not here.*'
                       '--check-images'):
        export_onnx(*files, str(out))
    with pytest.raises(ValueError, match='no check image'):
        export_onnx(*files, str(out), sketches=[])
    assert not out.exists()
    report = export_onnx(*files, str(out), sketches=[sketch(24, 32)])
    assert report.checked == 'the given sketches (32x24, 25x21)'
    assert report.max_abs_diff <= 1e-3 and out.exists()


def test_foreign_and_corrupt_onnx_files(exported, tmp_path):
    corrupt = tmp_path / 'cut.onnx'
    corrupt.write_bytes(open(exported['cyclegan'].path, 'rb').read()[:500])
    with pytest.raises(ModelFileError, match='cut.onnx: cannot load'):
        Colorizer(str(corrupt))
    model = onnx.load(exported['cyclegan'].path)
    del model.metadata_props[:]
    foreign = tmp_path / 'foreign.onnx'
    onnx.save(model, str(foreign))
    with pytest.raises(ModelFileError, match='without mmadvseg'):
        Colorizer(str(foreign))
    # masks without defaults (required inputs), as exported before
    model = onnx.load(exported['pix2pix'].path)
    del model.graph.initializer[-1]
    required = tmp_path / 'required_masks.onnx'
    onnx.save(model, str(required))
    with pytest.raises(ModelFileError, match='required_masks.onnx: '
                       'exported by an earlier mmadvseg'):
        Colorizer(str(required))


def test_onnx_path_imports_neither_torch_nor_openmmlab(exported, tmp_path):
    code = (
        'import sys, cv2\n'
        'from mmadvseg.apis import Colorizer\n'
        f'c = Colorizer({exported["pix2pix"].path!r})\n'
        'img = cv2.imread(sys.argv[1])\n'
        "[out] = c(img, seed=1, show_progress=False)['predictions']\n"
        'heavy = [m for m in ("torch", "mmengine", "mmcv", "mmagic", '
        '"mmdet") if m in sys.modules]\n'
        'print(out.shape, heavy)\n')
    path = str(tmp_path / 's.png')
    import cv2
    cv2.imwrite(path, sketch(30, 50))
    proc = subprocess.run([sys.executable, '-c', code, path],
                          capture_output=True, text=True,
                          cwd=osp.dirname(path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == '(30, 50, 3) []'
