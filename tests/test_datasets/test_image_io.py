# Copyright (c) mmadvseg contributors. All rights reserved.
import os

import cv2
import numpy as np
import pytest

from mmadvseg.datasets.image_io import (
    ImageReadError,
    decode_image,
    decoder_messages,
    header_size,
    is_truncated_jpeg,
    read_image,
    resize_photo,
)


def test_read_awkward_images(awkward_images):
    color = read_image(awkward_images['color'])
    assert color.shape == (48, 64, 3) and color.dtype == np.uint8
    gray = read_image(awkward_images['gray'])
    assert gray.shape == (40, 40, 3)
    assert (gray[..., 0] == gray[..., 1]).all()
    rgba = read_image(awkward_images['rgba'])
    assert rgba.shape == (40, 40, 3)
    assert (rgba[:, :20] == 255).all()  # transparent -> white paper
    assert read_image(awkward_images['odd']).shape == (17, 33, 3)
    gray16 = read_image(awkward_images['gray16'])
    expected = cv2.imread(awkward_images['gray16'], cv2.IMREAD_UNCHANGED)
    assert (gray16[..., 0] == expected >> 8).all()


@pytest.mark.parametrize('kind,reason',
                         [('corrupt', 'cannot decode'),
                          ('truncated', 'truncated JPEG'),
                          ('damaged', 'damaged JPEG (Corrupt JPEG data: '
                           'premature end of data segment)'),
                          ('empty', 'empty file')])
def test_read_bad_images(awkward_images, kind, reason):
    with pytest.raises(ImageReadError) as err:
        read_image(awkward_images[kind])
    msg = str(err.value)
    assert msg.startswith(awkward_images[kind]) and reason in msg
    assert 'delete' in msg  # the fix
    with pytest.raises(ImageReadError, match='file not found'):
        read_image(awkward_images[kind] + '.missing')


def test_damaged_jpeg_is_refused_and_its_warning_attributed(
        awkward_images, capfd):
    """libjpeg decodes a JPEG whose data is cut (end marker intact) with a
    grey bottom half, and only prints an unattributed warning."""
    with open(awkward_images['damaged'], 'rb') as f:
        data = f.read()
    assert not is_truncated_jpeg(data)
    assert cv2.imread(awkward_images['damaged']) is not None  # OpenCV: fine
    capfd.readouterr()
    with pytest.raises(ImageReadError, match='damaged JPEG'):
        decode_image(data, 'x.jpg')
    assert 'Corrupt JPEG data' not in capfd.readouterr().err  # in the error
    with decoder_messages() as lines:
        os.write(2, b'libpng warning: iCCP: known incorrect sRGB profile\n')
    assert lines == []
    assert 'iCCP' in capfd.readouterr().err  # other output passes through


def test_decode_float_image():
    ok, tiff = cv2.imencode('.tiff', np.full((4, 4), 0.5, np.float32))
    assert ok
    img = decode_image(tiff.tobytes())
    assert img.shape == (4, 4, 3) and (img == 127).all()


def test_jpeg_end_marker_found_past_thumbnails_and_before_trailers():
    ok, jpeg = cv2.imencode('.jpg', np.full((16, 16, 3), 90, np.uint8))
    jpeg = jpeg.tobytes()
    # an APP1 segment with an end marker of its own, like an EXIF thumbnail
    payload = b'Exif\x00\x00' + b'\xff\xd8thumb\xff\xd9'
    app1 = b'\xff\xe1' + (len(payload) + 2).to_bytes(2, 'big') + payload
    with_thumb = jpeg[:2] + app1 + jpeg[2:]
    expected = decode_image(jpeg)
    np.testing.assert_array_equal(decode_image(with_thumb), expected)
    # data after the image (motion photos, vendor trailers) is fine
    trailer = with_thumb + b'\xff\xd8 video \x00' * 400
    np.testing.assert_array_equal(decode_image(trailer), expected)
    with pytest.raises(ImageReadError, match='truncated JPEG'):
        decode_image(with_thumb[:-40], 'cut.jpg')
    assert is_truncated_jpeg(with_thumb[:-40])
    assert not is_truncated_jpeg(trailer)
    assert not is_truncated_jpeg(b'\x89PNG\r\n\x1a\n')  # not a JPEG


def test_resize_photo():
    img = np.zeros((30, 50, 3), np.uint8)
    img[:, 10:40] = 255  # the centre square
    assert resize_photo(img, 16).shape == (16, 16, 3)
    crop = resize_photo(img, 10, 'crop')
    assert crop.shape == (10, 10, 3) and (crop == 255).all()
    assert resize_photo(img, 16, 'none') is img
    assert resize_photo(img, None) is img
    with pytest.raises(ValueError, match='resize mode'):
        resize_photo(img, 16, 'fit')


def test_header_size_is_the_claimed_size_without_decoding(tmp_path):
    """PIL's own open refuses a header over its limit without the size."""
    from mmadvseg.testing import png_header
    bomb = png_header(100_000, 100_000)
    (tmp_path / 'bomb.png').write_bytes(bomb)
    assert header_size(bomb) == (100_000, 100_000)
    assert header_size(str(tmp_path / 'bomb.png')) == (100_000, 100_000)
    ok, jpg = cv2.imencode('.jpg', np.zeros((7, 5, 3), np.uint8))
    assert header_size(jpg.tobytes()) == (5, 7)
    assert header_size(b'just some notes') is None
    assert header_size(bomb, formats=('PNG', )) == (100_000, 100_000)
    assert header_size(bomb, formats=('JPEG', 'BMP')) is None
