# Copyright (c) mmadvseg contributors. All rights reserved.
"""The web demo's model side on a toy model trained as ``make demo`` does:
the page's images are the Colorizer's output and its segmenter's view, a
photo is sketched first, bad inputs are one message."""
import re
import struct

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from mmadvseg.apis import Colorizer, load_image, resize_longer, working_size
from mmadvseg.datasets.sketch import build_sketcher
from mmadvseg.testing import png_header
from mmadvseg.visualization import THING_COLOR
from mmadvseg.web import demo as demo_module
from mmadvseg.web.demo import (
    MAX_PIXELS,
    DemoInputError,
    upload_format,
    upload_size,
)

FORMATS = 'upload a PNG, JPEG, BMP, TIFF or WebP file'


def decode(png: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)


def bmp_header(width: int, height: int) -> bytes:
    """A 24-bit BMP that says it is ``width x height`` (no pixel data)."""
    info = struct.pack('<IiiHHIIiiII', 40, width, height, 1, 24, 0, 0, 0, 0,
                       0, 0)
    return b'BM' + struct.pack('<IHHI', 54, 0, 0, 54) + info


@pytest.fixture
def no_decoding(monkeypatch):
    """Any decode of an upload fails the test."""
    def decode_image(data, path='<bytes>'):
        raise AssertionError(f'{path} was decoded')
    monkeypatch.setattr(demo_module, 'decode_image', decode_image)


def test_a_drawing_gives_the_colorizers_output_and_its_segmentation(
        web_demo, toy_run, drawing, tmp_path):
    data = drawing
    (tmp_path / 'drawing.png').write_bytes(data)
    result = web_demo(data, name='your drawing')
    images = {k: decode(v) for k, v in result['images'].items()}
    assert web_demo.size == 64  # the toy test pipeline's resize
    # the page shows the working-size image the Colorizer translates
    small = resize_longer(load_image(str(tmp_path / 'drawing.png')), 64)
    [expected] = Colorizer(toy_run['run_dir'])(small, seed=0)['predictions']
    np.testing.assert_array_equal(images['colour'], expected)
    np.testing.assert_array_equal(
        images['sketch'], resize_longer(load_image(str(tmp_path /
                                                       'drawing.png')), 64))
    labels, things = web_demo.view(expected)
    np.testing.assert_array_equal(images['segmentation'],
                                  web_demo.view.palette[labels][..., ::-1])
    assert ((images['things'] == THING_COLOR).all(-1) == things).all()
    names = [name for name, _ in result['legend']]
    assert names == [web_demo.view.names[i] for i in np.unique(labels)] + [
        'thing', 'stuff']
    assert set(names[:-2]) <= {'elephant', 'sheep', 'bird', 'sky', 'grass',
                               'water'}
    assert result['notes'] == [
        'resized from 512 x 512 to 64 x 64 pixels (the model works at 64 '
        'pixels)']
    again = web_demo(data)  # a fixed seed: the same colours every time
    assert again['images']['colour'] == result['images']['colour']


def test_a_photo_is_sketched_first(web_demo, toy_run):
    photo_file = f'{toy_run["scenes"].img_dir("test")}/000001.png'
    with open(photo_file, 'rb') as f:
        result = web_demo(f.read(), photo=True, name='photo.png')
    # toy sketches are rendered outlines: no photo can repeat them, so
    # photos are sketched with the documented default, as the CLI does
    assert any('not drawn from photos' in n and 'xdog (' in n
               and 'conversion.json' not in n for n in web_demo.notes)
    xdog = build_sketcher('xdog', preset='xdog_paper')
    expected = load_image(xdog(load_image(photo_file)))
    np.testing.assert_array_equal(decode(result['images']['sketch']),
                                  expected)
    np.testing.assert_array_equal(
        decode(result['images']['colour']),
        web_demo.colorizer(expected, seed=0)['predictions'][0])
    assert result['notes'] == ['the photo was turned into this sketch first']
    # the API (and tools/colorize.py --from-photo) sketches it alike
    api = web_demo.colorizer(photo_file, from_photo=True, seed=0,
                             return_vis=False)
    assert 'the default for photos, XDoG preset xdog_paper' in \
        ' '.join(api['notes'])
    np.testing.assert_array_equal(api['predictions'][0],
                                  decode(result['images']['colour']))


@pytest.mark.parametrize('data,message', [
    (b'just some notes', 'notes.txt: not an image this demo can read'),
    (b'', 'notes.txt: not an image'),
    (b'\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0', 'notes.txt: not an image'),
    (png_header(10_000, 10_000), 'notes.txt: too large (10000 x 10000 '
     f'pixels; at most {MAX_PIXELS // 10**6} megapixels)'),
    # over PIL's own limit: its error was reported as "40000001 x 1 pixels"
    (png_header(100_000, 100_000), 'notes.txt: too large (100000 x 100000 '
     'pixels;'),
], ids=['text', 'empty', 'cut-png', 'huge-png', 'bomb-png'])
def test_bad_inputs_are_one_message(web_demo, data, message):
    with pytest.raises(DemoInputError, match=re.escape(message)):
        web_demo(data, name='notes.txt')


def test_large_images_are_resized_with_a_note(web_demo):
    img = np.full((1500, 900, 3), 255, np.uint8)
    cv2.line(img, (0, 0), (900, 1500), (0, 0, 0), 20)
    result = web_demo(cv2.imencode('.jpg', img)[1].tobytes())
    assert decode(result['images']['colour']).shape == (64, 38, 3)
    assert result['notes'] == ['resized from 900 x 1500 to 38 x 64 pixels '
                               '(the model works at 64 pixels)']


def test_examples_are_the_test_sketches(web_demo, toy_run):
    scenes = toy_run['scenes']
    assert len(web_demo.examples) == 4
    for i, example in enumerate(web_demo.examples):
        sketch = cv2.imread(f'{scenes.root}/unpaired/testA/{i:06d}.png')
        np.testing.assert_array_equal(example, sketch)
    info = web_demo.info()
    assert info['examples'] == 4 and info['seed'] == 0
    assert 'fixed seed 0' in info['randomness']


def test_working_size_of_other_configs(tmp_path):
    test = dict(dataset=dict(data_root=str(tmp_path), pipeline=[
        dict(type='LoadPairedImageFromFile'),
        dict(type='Resize', scale=(256, 256))]))
    cfg = Config(dict(test_dataloader=test))
    assert working_size(cfg) == 256
    no_resize = Config(dict(test_dataloader=dict(dataset=dict(pipeline=[]))))
    assert working_size(no_resize) is None and working_size(None) is None


# Formats OpenCV decodes but no PIL plugin of an accepted format reads the
# size of: they were decoded without a pixel limit (a 9.5 MB .hdr of
# 32767 x 4800 took 5.3 GB). Only the headers are sent here, each claiming
# 32767 x 4800 (157 megapixels).
UNCHECKED_HEADERS = {
    'hdr': b'#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 4800 +X 32767\n' +
    b'\x02\x02\x7f\xff' * 8,
    'pfm': b'PF\n32767 4800\n-1\n' + b'\0' * 64,
    'ppm': b'P6\n32767 4800\n255\n' + b'\0' * 64,
    'sun-raster': struct.pack('>8I', 0x59a66a95, 32767, 4800, 24, 0, 1, 0,
                              0) + b'\0' * 64,
}


@pytest.mark.parametrize('data', list(UNCHECKED_HEADERS.values()),
                         ids=list(UNCHECKED_HEADERS))
def test_formats_whose_size_is_not_checked_are_refused_undecoded(
        web_demo, no_decoding, data):
    assert upload_format(data) is None and upload_size(data) is None
    with pytest.raises(DemoInputError, match=re.escape(
            f'big.img: not an image this demo can read; {FORMATS}')):
        web_demo(data, name='big.img')


def test_every_accepted_format_is_checked_before_decoding(web_demo,
                                                          monkeypatch):
    img = np.full((30, 20, 3), 255, np.uint8)
    for ext, fmt in [('.png', 'PNG'), ('.jpg', 'JPEG'), ('.bmp', 'BMP'),
                     ('.tiff', 'TIFF'), ('.webp', 'WebP')]:
        data = cv2.imencode(ext, img)[1].tobytes()
        assert upload_format(data) == fmt and upload_size(data) == (20, 30)
        web_demo.decode(data, 'small' + ext)  # decoded
    big = cv2.imencode('.tiff', np.zeros((8, 8), np.uint8))[1].tobytes()
    # a TIFF whose first directory claims 10000 x 10000 (tags 256, 257)
    ifd = struct.unpack_from('<I', big, 4)[0]
    for i in range(struct.unpack_from('<H', big, ifd)[0]):
        entry = ifd + 2 + 12 * i
        tag, kind = struct.unpack_from('<HH', big, entry)
        if tag in (256, 257):
            big = big[:entry + 8] + struct.pack(
                '<H' if kind == 3 else '<I', 10_000) + \
                big[entry + (10 if kind == 3 else 12):]
    monkeypatch.setattr(demo_module, 'decode_image', lambda *args: 1 / 0)
    for data in [bmp_header(10_000, 10_000), bmp_header(10_000, -10_000),
                 big]:
        assert upload_size(data) == (10_000, 10_000)
        with pytest.raises(DemoInputError, match=re.escape(
                'x.img: too large (10000 x 10000 pixels')):
            web_demo(data, name='x.img')
    # an accepted format's first bytes with a header its plugin refuses
    # (another PIL plugin might read a size from it): refused
    for data in [b'BM' + b'\0' * 60, b'II*\0' + b'\xff' * 60,
                 b'RIFF\0\0\0\0WEBP' + b'\0' * 60]:
        assert upload_size(data) is None
        with pytest.raises(DemoInputError, match='not an image this demo'):
            web_demo(data, name='x.img')
