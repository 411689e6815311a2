# Copyright (c) mmadvseg contributors. All rights reserved.
import subprocess
import sys

import numpy as np

from mmadvseg.visualization import (
    colorize_labels,
    column_grid,
    translation_grid,
)


def test_colorize_labels_uses_the_palette_in_bgr():
    labels = np.array([[0, 1], [2, 1]])
    palette = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    image = colorize_labels(labels, palette)
    assert image.dtype == np.uint8 and image.shape == (2, 2, 3)
    assert image[0, 0].tolist() == [0, 0, 255]  # red, in BGR
    assert image[1, 0].tolist() == [255, 0, 0]  # blue


def test_grid_rows_and_columns():
    rng = np.random.default_rng(0)
    sketches, fakes, reals = (
        list(rng.integers(0, 256, (2, 32, 48, 3), np.uint8))
        for _ in range(3))
    grid = translation_grid(sketches, fakes, reals)
    assert grid.shape == (64, 144, 3)
    np.testing.assert_array_equal(grid[:32, :48], sketches[0])
    np.testing.assert_array_equal(grid[32:, 48:96], fakes[1])
    np.testing.assert_array_equal(grid[32:, 96:], reals[1])

    def segment(image):  # a class per brightness band
        return image[..., 0] // 64

    palette = [(i * 40, 255 - i * 40, 7 * i) for i in range(4)]
    grid = translation_grid(sketches, fakes, reals, segment, palette)
    assert grid.shape == (64, 240, 3)
    np.testing.assert_array_equal(grid[32:, 144:192],
                                  colorize_labels(segment(fakes[1]), palette))
    np.testing.assert_array_equal(grid[:32, 192:],
                                  colorize_labels(segment(reals[0]), palette))
    # captions: tiles enlarged 3x (48 -> 144 px >= 128), a strip above
    names = ['sketch', 'generated', 'real', 'seg(generated)', 'seg(real)']
    captioned = translation_grid(sketches, fakes, reals, segment, palette,
                                 captions=names)
    top = captioned.shape[0] - 3 * 64
    assert captioned.shape[1] == 3 * 240 and top > 8
    np.testing.assert_array_equal(captioned[top:, :][::3, ::3], grid)
    assert (captioned[:top] < 128).any(axis=(0, 2)).sum() > 100  # text


def test_column_grid_puts_each_column_in_its_place_under_its_caption():
    rng = np.random.default_rng(1)
    columns = [list(rng.integers(0, 256, (3, 40, 40, 3), np.uint8))
               for _ in range(4)]  # e.g. sketch | arm 1 | arm 2 | real
    grid = column_grid(columns)
    assert grid.shape == (120, 160, 3)
    np.testing.assert_array_equal(grid[80:, 80:120], columns[2][2])
    captioned = column_grid(columns, ['sketch', 'a', 'b', 'real'])
    top = captioned.shape[0] - 4 * 120  # 40 px tiles enlarged 4x (160)
    assert captioned.shape[1] == 4 * 160 and top > 8
    np.testing.assert_array_equal(captioned[top:][::4, ::4], grid)
    # each caption over its own column
    ink = (captioned[:top] < 128).any(axis=(0, 2))
    assert all(ink[i * 160:(i + 1) * 160].any() for i in range(4))


def test_importing_the_package_imports_neither_torch_nor_openmmlab():
    code = ('import sys, mmadvseg.visualization; print(sorted(m for m in '
            '("torch", "mmengine", "mmcv", "mmagic", "mmdet") '
            'if m in sys.modules))')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, check=True)
    assert proc.stdout.strip() == '[]'
