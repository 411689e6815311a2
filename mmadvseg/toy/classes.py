# Copyright (c) mmadvseg contributors. All rights reserved.
"""The toy scenes' classes and the colour ranges they are painted with."""
from typing import Any, Dict, Tuple

#: Classes, things first then stuff (mmdet's order: thing labels 0..T-1,
#: stuff labels T..). ``id`` is the COCO category id.
TOY_CLASSES: Tuple[Dict[str, Any], ...] = (
    dict(id=1, name='elephant', isthing=1, supercategory='animal'),
    dict(id=2, name='sheep', isthing=1, supercategory='animal'),
    dict(id=3, name='bird', isthing=1, supercategory='animal'),
    dict(id=4, name='sky', isthing=0, supercategory='outdoor'),
    dict(id=5, name='grass', isthing=0, supercategory='outdoor'),
    dict(id=6, name='water', isthing=0, supercategory='outdoor'),
)
ELEPHANT, SHEEP, BIRD, SKY, GRASS, WATER = range(len(TOY_CLASSES))
NUM_THINGS = sum(c['isthing'] for c in TOY_CLASSES)

#: ``metainfo`` for mmdet's ``CocoPanopticDataset`` (RGB palette).
TOY_METAINFO: Dict[str, Any] = dict(
    classes=tuple(c['name'] for c in TOY_CLASSES),
    thing_classes=tuple(c['name'] for c in TOY_CLASSES if c['isthing']),
    stuff_classes=tuple(c['name'] for c in TOY_CLASSES if not c['isthing']),
    palette=[(128, 128, 128), (240, 230, 200), (220, 40, 30),
             (135, 190, 240), (60, 160, 60), (20, 110, 130)])

#: ``'distinct'``: a colour range per class; ``'shared'``: one for all.
COLOR_MODES = ('distinct', 'shared')

#: Base-colour ranges in HSV (OpenCV: H in [0, 180), S and V in [0, 255])
#: per class index, in ``'distinct'`` mode. Each segment's base colour is
#: drawn from its class's range, then shaded and textured.
DISTINCT_HSV = {
    ELEPHANT: ((0, 180), (0, 25), (95, 150)),
    SHEEP: ((18, 30), (25, 70), (205, 245)),
    BIRD: ((0, 12), (170, 250), (170, 235)),
    SKY: ((100, 112), (60, 140), (215, 255)),
    GRASS: ((40, 70), (120, 230), (90, 170)),
    WATER: ((84, 96), (150, 240), (70, 130)),
}
#: The one base-colour range of every class in ``'shared'`` mode.
SHARED_HSV = ((0, 180), (40, 200), (80, 230))

__all__ = [
    'TOY_CLASSES', 'TOY_METAINFO', 'COLOR_MODES', 'DISTINCT_HSV',
    'SHARED_HSV', 'NUM_THINGS', 'ELEPHANT', 'SHEEP', 'BIRD',
    'SKY', 'GRASS', 'WATER'
]
