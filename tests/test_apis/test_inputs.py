# Copyright (c) mmadvseg contributors. All rights reserved.
"""Every kind of input becomes the BGR sketch the training data is made
of: files (gray, RGBA, palette, 16-bit, EXIF-rotated), arrays, PIL."""
import io
import os.path as osp

import cv2
import numpy as np
import pytest
from conftest import sketch
from mmengine.config import Config
from PIL import Image, ImageOps

from mmadvseg.apis.inputs import (
    collect_images,
    config_test_sketches,
    list_inputs,
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


def test_list_inputs_in_order_with_their_output_names(tmp_path):
    (tmp_path / 'dir' / 'sub').mkdir(parents=True)
    for name in ('dir/b.png', 'dir/sub/a.jpg', 'c.png'):
        cv2.imwrite(str(tmp_path / name), sketch(8, 8))
    array = sketch(8, 8)
    items = list_inputs([str(tmp_path / 'c.png'), array,
                         str(tmp_path / 'dir')])
    assert [item[1:] for item in items] == [
        (str(tmp_path / 'c.png'), 'c.png'), (None, '000001.png'),
        (str(tmp_path / 'dir' / 'b.png'), 'b.png'),
        (str(tmp_path / 'dir' / 'sub' / 'a.jpg'), osp.join('sub', 'a.jpg'))]
    assert items[1][0] is array
    assert [item[1:] for item in list_inputs(array)] == [(None,
                                                          '000000.png')]


def test_config_test_sketches_of_paired_and_unpaired_data(tmp_path):
    cfg = Config(dict(test_dataloader=dict(dataset=dict(
        data_root=str(tmp_path)))))
    assert config_test_sketches(cfg) == [] and config_test_sketches(None) == []
    ab = np.zeros((8, 16, 3), np.uint8)
    ab[:, 8:] = 255
    (tmp_path / 'test').mkdir()
    cv2.imwrite(str(tmp_path / 'test' / 'a.png'), ab)  # paired: A|B
    (tmp_path / 'test' / 'b.png').write_text('unreadable: skipped')
    [sketch_a] = config_test_sketches(cfg)
    assert sketch_a.shape == (8, 8, 3) and (sketch_a == 0).all()
    (tmp_path / 'testA').mkdir()  # unpaired: whole testA images
    for i in range(3):
        cv2.imwrite(str(tmp_path / 'testA' / f'{i}.png'), ab + i)
    found = config_test_sketches(cfg, limit=2)
    assert [img.shape for img in found] == [(8, 16, 3)] * 2
    assert [img[0, 0, 0] for img in found] == [0, 1]
