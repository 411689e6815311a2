# Copyright (c) mmadvseg contributors. All rights reserved.
import json

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from mmadvseg.evaluation.image_folder import (
    check_image_folder,
    folder_fid_kid,
    format_fid_kid,
    list_image_files,
    load_image,
)
from mmadvseg.evaluation.inception import FID_WEIGHTS_NAME
from mmadvseg.testing import png_header


def test_load_image_is_rgb_in_unit_range(tmp_path):
    path = str(tmp_path / 'a.png')
    bgr = np.zeros((4, 5, 3), np.uint8)
    bgr[..., 0] = 255  # blue, as OpenCV writes it
    cv2.imwrite(path, bgr)
    img = load_image(path)
    assert img.shape == (3, 4, 5)
    assert img[2].min() == 1.0 and img[:2].max() == 0.0


def test_unreadable_image_is_named(tmp_path):
    ok, png = cv2.imencode('.png', np.full((32, 32, 3), 7, np.uint8))
    path = tmp_path / 'cut.png'
    path.write_bytes(png.tobytes()[:40])
    with pytest.raises(ValueError, match='cut.png: cannot read the image'):
        load_image(str(path))


def test_a_huge_header_is_named_with_its_size(tmp_path):
    """PIL's DecompressionBombError is no OSError: it escaped as a
    traceback without the file's name."""
    path = tmp_path / 'bomb.png'
    path.write_bytes(png_header(100_000, 100_000))
    with pytest.raises(ValueError, match=f'^{path}: 100000 x 100000 pixels, '
                       'more than the .* PIL decodes .*; delete it or make '
                       'it smaller$'):
        load_image(str(path))


def test_16_bit_gray_is_scaled_not_clipped(tmp_path):
    """PIL's convert('RGB') (pytorch-fid's reading) turns a 16-bit gray
    image white; it is read as its 8-bit version."""
    ramp = (np.arange(1, 65, dtype=np.uint16).reshape(8, 8) * 1000)
    path = tmp_path / 'deep.png'
    cv2.imwrite(str(path), ramp)
    with Image.open(path) as img:
        assert np.array(img.convert('RGB')).min() == 255  # the old reading
    img = load_image(path)
    expected = torch.from_numpy((ramp >> 8).astype(np.float32))
    assert img.shape == (3, 8, 8)
    for channel in img:
        assert (channel * 255).round().equal(expected)


def test_every_image_is_checked_first(tmp_path):
    folder = tmp_path / 'imgs'
    folder.mkdir()
    for i in range(3):
        cv2.imwrite(str(folder / f'{i}.png'), np.full((8, 8, 3), i, np.uint8))
    assert len(check_image_folder(str(folder), nproc=2)) == 3
    (folder / 'notes.png').write_text('a text file named .png')
    ok, png = cv2.imencode('.png', np.zeros((32, 32, 3), np.uint8))
    (folder / 'cut.png').write_bytes(png.tobytes()[:60])
    with pytest.raises(ValueError) as err:
        check_image_folder(str(folder), nproc=2)
    assert str(err.value).startswith(f'{folder / "cut.png"}: cannot read')
    assert str(err.value).endswith(f'(and 1 more unreadable images in '
                                   f'{folder})')
    lone = tmp_path / 'lone'
    lone.mkdir()
    cv2.imwrite(str(lone / 'a.png'), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match='only one image .*at least 2'):
        check_image_folder(str(lone))


def _write_mixed(folder, images) -> str:
    """PNG and JPEG files (pytorch-fid picks up both) and a non-image."""
    folder.mkdir(parents=True)
    for i, img in enumerate(images):
        ext = 'png' if i % 3 else 'jpg'
        Image.fromarray(img).save(folder / f'{i:03d}.{ext}')
    (folder / 'notes.txt').write_text('not an image')
    return str(folder)


def test_list_image_files_is_pytorch_fid_selection(tmp_path, image_factory):
    folder = _write_mixed(tmp_path / 'imgs', image_factory(4, size=8))
    names = [f.name for f in list_image_files(folder)]
    assert names == ['000.jpg', '001.png', '002.png', '003.jpg']
    with pytest.raises(NotADirectoryError, match='nowhere: not a dir'):
        list_image_files(str(tmp_path / 'nowhere'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='empty: no image'):
        list_image_files(str(tmp_path / 'empty'))


def test_folder_fid_kid_parity_with_pytorch_fid(hub_with_weights,
                                                image_factory, tmp_path):
    """Same weights, same folders: our FID equals pytorch-fid's (the function
    `python -m pytorch_fid` runs) to 1e-3 relative."""
    from pytorch_fid.fid_score import calculate_fid_given_paths
    folders = [
        _write_mixed(tmp_path / 'real', image_factory(8, seed=0)),
        _write_mixed(tmp_path / 'fake',
                     image_factory(7, size=40, kind='b', seed=1))
    ]
    out = tmp_path / 'out' / 'fid.json'
    result = folder_fid_kid(
        *folders,
        device='cpu',
        num_workers=0,
        kid_subsets=20,
        json_file=str(out),
        progress=False)
    reference = calculate_fid_given_paths(
        folders, batch_size=50, device='cpu', dims=2048, num_workers=0)
    assert result['fid'] == pytest.approx(reference, rel=1e-3)
    assert result['fid'] > 0
    assert result['num_real'] == 8 and result['num_fake'] == 7
    saved = json.loads(out.read_text())
    assert saved['fid'] == pytest.approx(result['fid'])
    assert saved['kid'] == pytest.approx(result['kid'])
    assert saved['inception'].endswith(FID_WEIGHTS_NAME)
    summary = format_fid_kid(result)
    assert 'FID:' in summary and 'KID:' in summary and '8 real' in summary
    assert '20 subsets of 7' in summary


def test_folder_fid_kid_checks_folders_before_the_weights(tmp_path):
    # the hub cache is empty: a missing folder is reported first
    with pytest.raises(NotADirectoryError, match='real: not a directory'):
        folder_fid_kid(str(tmp_path / 'real'), str(tmp_path))
