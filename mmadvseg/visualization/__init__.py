# Copyright (c) mmadvseg contributors. All rights reserved.
"""Pictures of translations, all numpy / OpenCV images (importing this
package imports neither torch nor OpenMMLab; a segmenter imports them when
it is built):

- :mod:`.translation_grid`: sketch | generated | real | segmentations, one
  row per image (``make demo``'s grids), and any columns of images (a
  toy experiment's arms side by side);
- :mod:`.colorize_grid`: sketch | colour | segmentation | thing/stuff with
  captions and a class legend (``tools/colorize.py --grid``);
- :mod:`.annotate`: captions and legends sized by the picture.
"""
from .colorize_grid import (
    CAPTIONS,
    STUFF_COLOR,
    THING_COLOR,
    SegmentationView,
    class_info,
    grid_maker,
    make_grid,
    segmentation_view,
    segmenter_of,
    thing_stuff_map,
)
from .translation_grid import colorize_labels, column_grid, translation_grid

__all__ = [
    'colorize_labels', 'column_grid', 'translation_grid', 'SegmentationView',
    'make_grid', 'grid_maker', 'segmentation_view', 'segmenter_of',
    'class_info', 'thing_stuff_map', 'THING_COLOR', 'STUFF_COLOR', 'CAPTIONS'
]
