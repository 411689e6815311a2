# Copyright (c) mmadvseg contributors. All rights reserved.
import numpy as np
import pytest

from mmadvseg.apis.spec import DropoutLayer, GeneratorSpec


@pytest.mark.parametrize('size,padded', [((250, 190), (252, 192)),
                                         ((517, 333), (520, 336)),
                                         ((64, 64), (64, 64)),
                                         ((3, 5), (8, 8))])
def test_padded_shape(size, padded):
    assert GeneratorSpec(size_multiple=4).padded_shape(*size) == padded


@pytest.mark.parametrize('rgb', [False, True])
def test_input_and_output_round_trip_crops_to_each_size(rgb):
    """An identity network gives back every image, cropped to its size;
    the network sees reflect-padded, normalised pixels."""
    spec = GeneratorSpec(mean=(10.0, 20.0, 30.0), std=(50.0, 60.0, 70.0),
                         rgb=rgb)
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
              for h, w in ((250, 190), (249, 189))]
    batch = spec.to_input(images)
    assert batch.shape == (2, 3, 252, 192) and batch.dtype == np.float32
    first = images[0][..., ::-1] if rgb else images[0]
    np.testing.assert_allclose(batch[0, 0, :250, :190],
                               (first[..., 0] - 10.0) / 50.0, rtol=1e-6)
    # reflect padding: the row after the last repeats the one before it
    np.testing.assert_array_equal(batch[1, :, 249], batch[1, :, 247])
    out = spec.to_images(batch, [img.shape[:2] for img in images])
    for img, back in zip(images, out):
        np.testing.assert_array_equal(back, img)


def test_outputs_are_clamped_and_rounded_like_test_results():
    spec = GeneratorSpec()
    out = np.array([-2.0, -1.0, 0.0, 0.00392, 1.0, 3.0], np.float32)
    img = spec.to_images(out.reshape(1, 1, 1, 6).repeat(3, 1), [(1, 6)])[0]
    # (x + 1) * 127.5, clamped to [0, 255], rounded half to even
    assert img[0, :, 0].tolist() == [0, 0, 128, 128, 255, 255]


def test_json_round_trip_and_masks():
    spec = GeneratorSpec(dropout_p=0.5, size_multiple=4,
                         dropout_layers=(DropoutLayer(256, 4), ) * 2,
                         description='ResnetGenerator')
    assert GeneratorSpec.from_json(spec.to_json()) == spec
    assert spec.stochastic and not GeneratorSpec().stochastic
    assert spec.mask_shapes(252, 192) == [(1, 256, 63, 48)] * 2


def test_the_working_size_travels_in_the_json():
    spec = GeneratorSpec(work_size=64)
    assert GeneratorSpec.from_json(spec.to_json()).work_size == 64
    # files exported before it was recorded: none
    old = spec.to_json().replace(', "work_size": 64', '')
    assert 'work_size' not in old
    assert GeneratorSpec.from_json(old).work_size is None
