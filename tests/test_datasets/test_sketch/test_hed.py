# Copyright (c) mmadvseg contributors. All rights reserved.
import cv2
import numpy as np
import pytest
import torch

from mmadvseg.datasets.sketch.hed import (
    HED,
    HED_WEIGHTS_URL,
    convert_hed_state_dict,
    edge_nms,
    hed_sketch,
    load_hed,
    postprocess_edges,
    remove_small_components,
    thin,
)


def _sniklaus_keys(state):
    """Rename our keys the way sniklaus/pytorch-hed's file names them."""
    names = ('One', 'Two', 'Thr', 'Fou', 'Fiv')
    out = {}
    for key, value in state.items():
        for i, name in enumerate(names, start=1):
            key = key.replace(f'stage{i}.', f'moduleVgg{name}.')
            key = key.replace(f'side{i}.', f'moduleScore{name}.')
        out[key.replace('fuse.', 'moduleCombine.0.')] = value
    return out


def test_architecture():
    model = HED()
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    # VGG16's 13 convolutions + 5 side outputs + the fuse layer
    assert len(convs) == 19
    assert sum(p.numel() for p in model.parameters()) == 14716171
    fused, sides = model(torch.rand(2, 3, 37, 50) * 255, return_sides=True)
    assert fused.shape == (2, 1, 37, 50) and sides.shape == (2, 5, 37, 50)
    assert 0 <= fused.min() and fused.max() <= 1


def test_load_weights(tmp_path, hed_weights):
    model = load_hed(hed_weights)
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())
    # the same weights under sniklaus/pytorch-hed's names load identically
    path = tmp_path / 'network-bsds500.pytorch'
    torch.save(_sniklaus_keys(torch.load(hed_weights)), path)
    other = load_hed(str(path))
    x = torch.rand(1, 3, 20, 24) * 255
    assert torch.equal(model(x), other(x))
    assert list(convert_hed_state_dict({'state_dict': {'fuse.bias': 1}})) \
        == ['fuse.bias']


def test_weight_errors(tmp_path, hed_weights):
    missing = str(tmp_path / 'nowhere' / 'hed.pth')
    with pytest.raises(FileNotFoundError) as err:
        load_hed(missing)
    assert missing in str(err.value) and HED_WEIGHTS_URL in str(err.value)
    assert '--hed-weights' in str(err.value)
    reshaped = torch.load(hed_weights)
    reshaped[next(iter(reshaped))] = torch.zeros(1)  # a wrong shape
    unusable = {  # file: (content, expected message)
        'junk.pth': (b'not a state dict', 'junk.pth'),
        'wrong.pth': (torch.nn.Conv2d(3, 3, 1).state_dict(),
                      'not HED weights'),
        'reshaped.pth': (reshaped, 'reshaped.pth: not HED weights'),
    }
    for name, (content, message) in unusable.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            torch.save(content, path)
        with pytest.raises(RuntimeError, match=message):
            load_hed(str(path))


def test_hed_sketch(hed_weights):
    model = load_hed(hed_weights)
    img = np.random.default_rng(0).integers(0, 256, (21, 30, 3), np.uint8)
    soft = hed_sketch(img, model)
    assert soft.shape == (21, 30) and soft.dtype == np.uint8
    with torch.no_grad():
        prob = model(torch.from_numpy(img).permute(2, 0, 1)[None].float())
    expected = 255 - np.rint(prob[0, 0].numpy() * 255)
    assert np.abs(soft.astype(float) - expected).max() <= 1
    assert hed_sketch(img[..., 0], model).shape == (21, 30)
    assert hed_sketch(img, model, input_size=32).shape == (21, 30)
    thin_lines = hed_sketch(img, model, postprocess=True)
    assert set(np.unique(thin_lines)) <= {0, 255}


def _blurred_line(angle_deg, size=64):
    e = np.zeros((size, size), np.float32)
    a = np.radians(angle_deg)
    d = np.array([np.cos(a), np.sin(a)]) * 40
    c = size // 2
    cv2.line(e, (int(c - d[0]), int(c - d[1])), (int(c + d[0]),
                                                 int(c + d[1])), 1.0, 1)
    e = cv2.GaussianBlur(e, (0, 0), 2)
    return e / e.max()


@pytest.mark.parametrize('angle', [0, 30, 90, 135])
def test_nms_thins_blurred_lines(angle):
    edges = _blurred_line(angle)
    wide = (edges > 0.1).sum()
    kept = (edge_nms(edges) > 0.1).sum()
    assert kept < wide / 5  # about one pixel across instead of ~9
    lines = postprocess_edges(edges)
    assert 40 <= lines.sum() <= 96  # one thin line across the 64px image


def test_thin_and_small_components():
    mask = np.zeros((30, 40), bool)
    mask[10:16, 5:35] = True  # a 6-pixel-thick bar
    skeleton = thin(mask)
    assert skeleton.any() and (skeleton <= mask).all()
    assert skeleton.sum(axis=0).max() == 1  # one pixel thick
    # no 2x2 block survives thinning
    blocks = (skeleton[:-1, :-1] & skeleton[1:, :-1] & skeleton[:-1, 1:]
              & skeleton[1:, 1:])
    assert not blocks.any()
    dots = np.zeros((10, 10), bool)
    dots[1, 1] = True
    dots[5:8, 5] = True
    assert remove_small_components(dots, 3).sum() == 3
    assert remove_small_components(dots, 1).sum() == 4
