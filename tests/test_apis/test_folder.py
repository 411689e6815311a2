# Copyright (c) mmadvseg contributors. All rights reserved.
"""Colorizing files and folders into an output folder."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from conftest import sketch

from mmadvseg.apis import Colorizer
from mmadvseg.apis.folder import colorize_to_folder, plan_outputs
from mmadvseg.datasets.sketch import build_sketcher


@pytest.fixture(scope='module')
def pix2pix(tiny_models) -> Colorizer:
    return Colorizer(*tiny_models['pix2pix'])


def _all_files(folder) -> list:
    return sorted(
        osp.relpath(osp.join(root, f), folder)
        for root, _, files in os.walk(folder) for f in files)


def test_good_files_are_written_and_bad_ones_named(pix2pix, tmp_path):
    src = tmp_path / 'in'
    (src / 'sub').mkdir(parents=True)
    cv2.imwrite(str(src / 'a.png'), sketch(250, 190))
    cv2.imwrite(str(src / 'sub' / 'b.jpg'), sketch(517, 333, seed=1))
    good = (src / 'a.png').read_bytes()
    (src / 'cut.png').write_bytes(good[:len(good) // 2])
    (src / 'notes.png').write_text('a text file named .png')
    out = tmp_path / 'out'
    report = colorize_to_folder(pix2pix, [str(src)], str(out), seed=3,
                                batch_size=2, progress=False)
    assert _all_files(out) == ['a.png', osp.join('sub', 'b.png')]
    assert cv2.imread(str(out / 'sub' / 'b.png')).shape == (517, 333, 3)
    np.testing.assert_array_equal(
        cv2.imread(str(out / 'a.png')),
        pix2pix(str(src / 'a.png'), seed=3))
    failed = dict(report.failed)
    assert sorted(map(osp.basename, failed)) == ['cut.png', 'notes.png']
    assert all(osp.basename(path) in reason
               for path, reason in failed.items())
    # the output folder inside the input folder is not an input next time
    again = colorize_to_folder(pix2pix, [str(tmp_path)], str(out), seed=3,
                               progress=False)
    assert len(again.written) == 2 and len(again.failed) == 2


def test_an_output_that_cannot_be_written_is_named(pix2pix, tmp_path):
    src = tmp_path / 'in'
    (src / 'sub').mkdir(parents=True)
    for name in ('a.png', 'sub/b.png'):
        cv2.imwrite(str(src / name), sketch(16, 24))
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'sub').write_text('a file where the sub-folder goes')
    report = colorize_to_folder(pix2pix, [str(src)], str(out), seed=0,
                                progress=False)
    assert report.written == [str(out / 'a.png')]
    [(path, reason)] = report.failed
    assert path == str(src / 'sub' / 'b.png')
    assert reason.startswith(f'{out / "sub" / "b.png"}: cannot write')
    assert _all_files(out) == ['a.png', 'sub']


def test_clashing_or_overwriting_outputs_are_refused(pix2pix, tmp_path):
    for name in ('x.png', 'x.jpg'):
        cv2.imwrite(str(tmp_path / name), sketch(16, 16))
    with pytest.raises(ValueError, match=r'x\.png \(and 0 more\)'):
        colorize_to_folder(pix2pix, [str(tmp_path)], str(tmp_path / 'o'),
                           seed=0, progress=False)
    assert not (tmp_path / 'o').exists()
    with pytest.raises(ValueError, match='would be overwritten'):
        plan_outputs([(str(tmp_path / 'x.png'), 'x.png')], str(tmp_path))
    with pytest.raises(ValueError, match='x_grid.png'):
        plan_outputs([('a/x.png', 'x.png'), ('b/x_grid.png', 'x_grid.png')],
                     str(tmp_path / 'o'), extras=['_grid'])


def test_from_photo_saves_the_sketch_and_grids(pix2pix, tmp_path):
    photo = np.random.default_rng(0).integers(0, 256, (60, 90, 3), np.uint8)
    cv2.imwrite(str(tmp_path / 'photo.png'), cv2.GaussianBlur(photo, (9, 9),
                                                              3))
    sketcher = build_sketcher('canny')
    grids = []

    def grid(sketch_img, colour):
        grids.append((sketch_img, colour))
        return np.concatenate([sketch_img, colour], 1)

    out = tmp_path / 'out'
    report = colorize_to_folder(pix2pix, [str(tmp_path / 'photo.png')],
                                str(out), seed=1, size=45,
                                sketcher=sketcher, grid=grid, progress=False)
    assert report.written == [str(out / 'photo.png')]
    assert _all_files(out) == ['photo.png', 'photo_grid.png',
                               'photo_sketch.png']
    drawn = cv2.imread(str(out / 'photo_sketch.png'))
    assert drawn.shape == (30, 45, 3)
    expected = sketcher(cv2.resize(cv2.imread(str(tmp_path / 'photo.png')),
                                   (45, 30), interpolation=cv2.INTER_AREA))
    np.testing.assert_array_equal(drawn[..., 0], expected)
    np.testing.assert_array_equal(cv2.imread(str(out / 'photo.png')),
                                  pix2pix(drawn, seed=1))
    assert cv2.imread(str(out / 'photo_grid.png')).shape == (30, 90, 3)
