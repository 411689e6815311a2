# Copyright (c) mmadvseg contributors. All rights reserved.
import numpy as np
import torch
from mmagic.registry import MODELS

from mmadvseg.testing import tiny_segmenter_cfg
from mmadvseg.visualization import colorize_labels, translation_grid


def test_colorize_labels_uses_the_palette_in_bgr():
    labels = np.array([[0, 1], [2, 1]])
    palette = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    image = colorize_labels(labels, palette)
    assert image.dtype == np.uint8 and image.shape == (2, 2, 3)
    assert image[0, 0].tolist() == [0, 0, 255]  # red, in BGR
    assert image[1, 0].tolist() == [255, 0, 0]  # blue


def test_grid_rows_and_columns():
    torch.manual_seed(0)
    sketch, fake, real = (torch.rand(2, 3, 32, 48) * 2 - 1 for _ in range(3))
    grid = translation_grid(sketch, fake, real)
    assert grid.shape == (64, 144, 3)
    # the first tile is the first sketch, back in 0-255 BGR
    expected = ((sketch[0] + 1) * 127.5).round().byte().permute(1, 2, 0)
    np.testing.assert_array_equal(grid[:32, :48], expected.numpy())

    segmenter = MODELS.build(tiny_segmenter_cfg(3, 3))
    palette = [(i * 40, 255 - i * 40, 7 * i) for i in range(6)]
    grid = translation_grid(sketch, fake, real, segmenter, palette)
    assert grid.shape == (64, 240, 3)
    labels = segmenter(fake).probs.argmax(1)[1].numpy()
    np.testing.assert_array_equal(grid[32:, 144:192],
                                  colorize_labels(labels, palette))
