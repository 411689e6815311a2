# Copyright (c) mmadvseg contributors. All rights reserved.
"""Every kind of input becomes the BGR sketch the training data is made
of: files (gray, RGBA, palette, 16-bit, EXIF-rotated), arrays, PIL."""
import io
import os.path as osp

import cv2
import numpy as np
import pytest
from conftest import sketch
from PIL import Image, ImageOps

from mmadvseg.apis.inputs import (
    collect_images,
    load_image,
    resize_longer,
)
from mmadvseg.datasets.image_io import ImageReadError, orient_image


@pytest.fixture
def gray_sketch() -> np.ndarray:
    """A gray sketch (its RGB equivalent has three equal channels)."""
    return sketch(37, 53)[..., 0]


def _rgb(gray: np.ndarray) -> np.ndarray:
    return np.repeat(gray[..., None], 3, axis=2)


def test_files_of_every_kind_load_as_their_rgb_equivalent(tmp_path,
                                                         gray_sketch):
    rgb = _rgb(gray_sketch)
    files = {'rgb.png': rgb, 'gray.png': gray_sketch,
             '16bit.png': gray_sketch.astype(np.uint16) * 257}
    # transparent paper (alpha 0 where white) composites over white
    alpha = np.where(gray_sketch < 128, 255, 0).astype(np.uint8)
    files['rgba.png'] = np.dstack([np.zeros_like(rgb), alpha])
    for name, img in files.items():
        cv2.imwrite(str(tmp_path / name), img)
    Image.fromarray(gray_sketch).convert('P').save(tmp_path / 'palette.png')
    for name in list(files) + ['palette.png']:
        np.testing.assert_array_equal(load_image(str(tmp_path / name)), rgb,
                                      err_msg=name)


@pytest.mark.parametrize('orientation', range(1, 9))
def test_exif_orientation_is_applied_like_pil_and_opencv(orientation):
    img = np.random.default_rng(0).integers(0, 256, (20, 30, 3), np.uint8)
    pil = Image.fromarray(img)
    exif = pil.getexif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    pil.save(buf, 'PNG', exif=exif.tobytes())
    data = buf.getvalue()
    upright = np.asarray(ImageOps.exif_transpose(Image.open(buf)))
    np.testing.assert_array_equal(orient_image(img, data), upright)
    opencv = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    np.testing.assert_array_equal(opencv[..., ::-1], upright)


def test_an_exif_rotated_file_loads_upright(tmp_path):
    upright = sketch(30, 50)
    stored = np.ascontiguousarray(np.rot90(upright, 1))  # 90 deg CCW
    pil = Image.fromarray(stored[..., ::-1])
    exif = pil.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    pil.save(tmp_path / 'phone.jpg', exif=exif.tobytes(), quality=100)
    pil.save(tmp_path / 'phone.png', exif=exif.tobytes())
    np.testing.assert_array_equal(load_image(str(tmp_path / 'phone.png')),
                                  upright)
    assert load_image(str(tmp_path / 'phone.jpg')).shape == upright.shape


def test_arrays_and_pil_images(gray_sketch):
    rgb = _rgb(gray_sketch)
    bgr = sketch(20, 30)
    np.testing.assert_array_equal(load_image(bgr), bgr)
    np.testing.assert_array_equal(load_image(gray_sketch), rgb)
    np.testing.assert_array_equal(load_image(gray_sketch / 255.0), rgb)
    pil = Image.fromarray(bgr[..., ::-1])
    np.testing.assert_array_equal(load_image(pil), bgr)
    wide = gray_sketch.astype(np.int32) * 257
    pils = [Image.fromarray(gray_sketch).convert(mode)
            for mode in ('L', 'LA', 'RGBA', 'P', '1')]
    pils += [Image.fromarray(wide.astype(np.uint16)), Image.fromarray(wide)]
    assert [p.mode for p in pils[-2:]] == ['I;16', 'I']
    for pil in pils:
        np.testing.assert_array_equal(load_image(pil), rgb, err_msg=pil.mode)
    with pytest.raises(TypeError, match='cannot colorize a list'):
        load_image([1, 2])
    with pytest.raises(ImageReadError, match='image 3: unsupported'):
        load_image(np.zeros((4, 4, 5), np.uint8), 'image 3')


def test_unreadable_files_are_named(tmp_path):
    (tmp_path / 'notes.png').write_text('not an image')
    with pytest.raises(ImageReadError, match='notes.png: cannot decode'):
        load_image(str(tmp_path / 'notes.png'))
    with pytest.raises(ImageReadError, match='missing.png: file not found'):
        load_image(str(tmp_path / 'missing.png'))


def test_resize_longer_keeps_the_aspect():
    img = sketch(300, 400)
    assert resize_longer(img, 256).shape == (192, 256, 3)
    assert resize_longer(img, 800).shape == (600, 800, 3)
    assert resize_longer(img, None) is img


def test_collect_images_keeps_relative_names(tmp_path):
    for name in ('a.png', 'sub/b.jpg', 'sub/deep/c.PNG', 'notes.txt',
                 'out/old.png'):
        (tmp_path / 'in' / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / 'in' / name).write_bytes(b'')
    single = str(tmp_path / 'in' / 'a.png')
    items = collect_images([str(tmp_path / 'in'), single],
                           exclude=str(tmp_path / 'in' / 'out'))
    assert [rel for _, rel in items] == [
        'a.png', osp.join('sub', 'b.jpg'), osp.join('sub', 'deep', 'c.PNG'),
        'a.png'
    ]
    assert items[-1][0] == single
