# Copyright (c) mmadvseg contributors. All rights reserved.
"""The toy-scene harness: procedural scenes with known labels on which the
method runs, and is measured, on a CPU with nothing to download.

- :mod:`.classes`, :mod:`.render`: the scenes' classes and one scene;
- :mod:`.scenes`: :class:`ToyScenes`, a dataset on disk (settings, paths,
  generation);
- :mod:`.transforms`: ``LoadToyLabels``, the labels into the data samples;
- :mod:`.segmenter`: tiny Mask2Formers trained on the scenes;
- :mod:`.protocol`: an experiment's settings (arms, seeds, schedule) and
  protocol files; :mod:`.prepare`: the segmenters and Inception weights its
  runs share; :mod:`.run`: one run (a ``configs/toy`` leaf trained by
  :func:`mmadvseg.engine.runs.train`); :mod:`.experiment`: the runs over
  seeds, resumed and recorded; :mod:`.results`: their tables;
- :mod:`.demo`: that experiment in small, with pictures.

Importing this package needs numpy and OpenCV only.
"""
from .classes import COLOR_MODES, TOY_CLASSES, TOY_METAINFO
from .render import Scene, render_scene, scene_rng
from .scenes import TOY_SKETCHES, ToyScenes

__all__ = [
    'COLOR_MODES', 'TOY_CLASSES', 'TOY_METAINFO', 'TOY_SKETCHES', 'Scene',
    'ToyScenes', 'render_scene', 'scene_rng'
]
