# Copyright (c) mmadvseg contributors. All rights reserved.
"""A toy-scene dataset on disk: :class:`ToyScenes`, the one source of the toy
data's settings, defaults and paths.

For every scene (:func:`~.render.render_scene`) the generator writes

* the colour photo and its sketch, in the paired (``paired/{train,test}``,
  A|B) and unpaired (``unpaired/{train,test}{A,B}``) layouts of
  :mod:`mmadvseg.datasets.layouts`;
* COCO panoptic ground truth: ``annotations/panoptic_{split}.json`` and
  ``panoptic/{split}/NAME.png`` (segment id = R + 256 G + 256^2 B), with the
  photos in ``images/{split}/``, loadable by mmdet's ``CocoPanopticDataset``
  with :data:`~.classes.TOY_METAINFO` (:meth:`ToyScenes.mmdet_dataset_cfg`);
* semantic label maps ``labels/{split}/NAME.png`` (class index per pixel,
  see :data:`~.classes.TOY_CLASSES`), which the ``LoadToyLabels`` transform
  puts into the data samples for evaluation;
* the settings record ``conversion.json`` (:mod:`mmadvseg.datasets.record`),
  written last: a folder whose record equals the wanted settings is
  complete and current (:meth:`ToyScenes.is_current`).

Generation is deterministic (scene ``j`` depends only on the seed, the split
and ``j``), identical for any number of processes, and idempotent.
"""
import json
import os
import os.path as osp
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..datasets.layouts import (
    LAYOUTS,
    SPLITS,
    atomic_imwrite,
    layout_root,
    paired_path,
    unpaired_paths,
    write_sample,
)
from ..datasets.record import read_settings, settings_path, write_settings
from ..utils.fileio import atomic_write
from ..utils.parallel import run_parallel
from .classes import COLOR_MODES, TOY_CLASSES, TOY_METAINFO
from .render import id2rgb, render_scene, scene_rng

#: How a scene's sketch is made: the rendered outlines, or XDoG (the
#: ``xdog_paper`` preset) / Canny of the photo, like the real datasets.
TOY_SKETCHES = ('outline', 'xdog', 'canny')
#: Version of the files written; bumped when their format changes, so that
#: older folders are regenerated.
FORMAT_VERSION = 2


@dataclass(frozen=True)
class ToyScenes:
    """A toy-scene dataset: where it is and how it is (to be) made.

    The field defaults are the toy experiments' defaults; every tool takes
    its toy-data options from here (:func:`add_toy_scene_args`).

    Args:
        root (str): Dataset root. Defaults to 'data/toy'.
        num_train (int): Training scenes. Defaults to 500.
        num_test (int): Test scenes. Defaults to 100.
        size (int): Side of the square scenes in pixels (>= 32; 64 is the
            toy GANs' crop). Defaults to 64.
        seed (int): Random seed. Defaults to 0.
        color_mode (str): ``'distinct'`` (a colour range per class) or
            ``'shared'`` (one range for all). Defaults to 'distinct'.
        sketch (str): One of :data:`TOY_SKETCHES`. Defaults to 'outline'.
        layouts (tuple[str]): GAN layouts to write, a subset of
            ``('paired', 'unpaired')``; empty for panoptic data only.
    """
    root: str = 'data/toy'
    num_train: int = 500
    num_test: int = 100
    size: int = 64
    seed: int = 0
    color_mode: str = 'distinct'
    sketch: str = 'outline'
    layouts: Tuple[str, ...] = LAYOUTS

    def __post_init__(self) -> None:
        if self.color_mode not in COLOR_MODES:
            raise ValueError(f'color_mode must be one of {COLOR_MODES}, got '
                             f'{self.color_mode!r}')
        if self.sketch not in TOY_SKETCHES:
            raise ValueError(f'sketch must be one of {TOY_SKETCHES}, got '
                             f'{self.sketch!r}')
        if self.num_train < 0 or self.num_test < 0:
            raise ValueError('num_train and num_test must be >= 0')
        if self.size < 32:
            raise ValueError(f'size must be at least 32, got {self.size}')
        object.__setattr__(self, 'layouts', tuple(self.layouts))

    # -- settings ---------------------------------------------------------
    def settings(self) -> Dict[str, Any]:
        """What the folder's record must say for the data to be current."""
        settings = asdict(self)
        del settings['root']
        settings.update(generator='mmadvseg toy scenes',
                        version=FORMAT_VERSION)
        return settings

    @classmethod
    def from_root(cls, root: str, **overrides: Any) -> 'ToyScenes':
        """The dataset at ``root`` with the settings it was made with (the
        defaults where it holds none), then ``overrides``.

        Args:
            root (str): Dataset root.
            **overrides: Fields to set; None values are ignored.

        Returns:
            ToyScenes: The settings a consumer should ask for.
        """
        recorded = read_settings(root) or {}
        names = {f.name for f in fields(cls)} - {'root'}
        values = ({k: v for k, v in recorded.items() if k in names}
                  if recorded.get('version') == FORMAT_VERSION else {})
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(root=root, **values)

    def is_current(self) -> bool:
        """Whether ``root`` holds complete scenes made with these settings
        (the one "is the toy data there and current?" check)."""
        return read_settings(self.root) == json.loads(
            json.dumps(self.settings()))

    def ensure(self, nproc: int = 1, progress: bool = False) -> 'ToyScenes':
        """Generate the scenes unless they are current.

        Args:
            nproc (int): Processes for the generation. Defaults to 1.
            progress (bool): Show a progress bar. Defaults to False.

        Returns:
            ToyScenes: ``self`` with an absolute root.
        """
        scenes = replace(self, root=osp.abspath(self.root))
        if not scenes.is_current():
            scenes.generate(nproc, progress)
        return scenes

    # -- paths ------------------------------------------------------------
    def data_root(self, layout: str) -> str:
        """``data_root`` of the ``'paired'`` or ``'unpaired'`` GAN data."""
        return layout_root(self.root, layout)

    def ann_file(self, split: str) -> str:
        """COCO panoptic json of ``split``."""
        return osp.join(self.root, 'annotations', f'panoptic_{split}.json')

    def img_dir(self, split: str) -> str:
        """Folder of the colour photos of ``split``."""
        return osp.join(self.root, 'images', split)

    def seg_dir(self, split: str) -> str:
        """Folder of the panoptic PNG masks of ``split``."""
        return osp.join(self.root, 'panoptic', split)

    def label_dir(self, split: str) -> str:
        """Folder of the semantic label maps of ``split``."""
        return osp.join(self.root, 'labels', split)

    def names(self, split: str) -> Sequence[str]:
        """Scene names of ``split``, in order."""
        count = self.num_train if split == 'train' else self.num_test
        return [f'{i:06d}' for i in range(count)]

    @staticmethod
    def locate(path: str) -> Tuple[str, str, str]:
        """Dataset root, split and scene name of any file of a scene:
        ``root/paired/{split}/NAME.png``, ``root/unpaired/{split}{A,B}/
        NAME.png`` or ``root/{images,panoptic,labels}/{split}/NAME.png``.

        Args:
            path (str): Path of one of the scene's files.

        Returns:
            tuple[str, str, str]: ``(root, split, name)``.
        """
        folder, file_name = osp.split(osp.abspath(str(path)))
        name = osp.splitext(file_name)[0]
        parent, sub = osp.split(folder)
        layout = osp.basename(parent)
        if layout in ('paired', 'images', 'panoptic', 'labels') \
                and sub in SPLITS:
            return osp.dirname(parent), sub, name
        if layout == 'unpaired' and sub[:-1] in SPLITS and sub[-1:] in 'AB':
            return osp.dirname(parent), sub[:-1], name
        raise ValueError(
            f'{path!r} is not a toy scene file (expected root/{{paired,'
            'images,panoptic,labels}/{train,test}/NAME.png or root/unpaired/'
            '{train,test}{A,B}/NAME.png); generate the data with '
            'tools/dataset_converters/toy_scenes.py')

    @classmethod
    def read_labels(cls, path: str) -> np.ndarray:
        """The class index map of the scene that ``path`` belongs to.

        Args:
            path (str): Any file of the scene (see :meth:`locate`).

        Returns:
            np.ndarray: ``(H, W)`` uint8 class indices.
        """
        root, split, name = cls.locate(path)
        label_file = osp.join(cls(root).label_dir(split), f'{name}.png')
        labels = cv2.imread(label_file, cv2.IMREAD_UNCHANGED)
        if labels is None:
            raise FileNotFoundError(
                f'{label_file}: no label map for this toy scene; regenerate '
                f'the data ({root}) with tools/dataset_converters/'
                'toy_scenes.py')
        return labels

    def mmdet_dataset_cfg(self, split: str, **kwargs: Any) -> Dict[str, Any]:
        """A config dict for mmdet's ``CocoPanopticDataset`` on ``split``.

        Args:
            split (str): ``'train'`` or ``'test'``.
            **kwargs: Extra dataset arguments (``pipeline``, ...).

        Returns:
            dict: Dataset config.
        """
        cfg = dict(
            type='CocoPanopticDataset',
            data_root=self.root,
            ann_file=f'annotations/panoptic_{split}.json',
            data_prefix=dict(img=f'images/{split}/', seg=f'panoptic/{split}/'),
            metainfo=dict(TOY_METAINFO))
        cfg.update(kwargs)
        return cfg

    # -- generation -------------------------------------------------------
    def generate(self, nproc: int = 1, progress: bool = False) -> None:
        """Write every scene, the annotations and then the record.

        Files of an earlier run that this one does not produce (more scenes,
        other layouts) are deleted, so no stale scene is mixed in.

        Args:
            nproc (int): Processes. Defaults to 1.
            progress (bool): Show a progress bar. Defaults to False.
        """
        if osp.isfile(settings_path(self.root)):  # not current any more
            os.remove(settings_path(self.root))
        self._remove_stale()
        items = [(split, name) for split in SPLITS
                 for name in self.names(split)]
        results = run_parallel(_SceneWriter(self), items, nproc,
                               desc='toy scenes', progress=progress)
        categories = [dict(c) for c in TOY_CLASSES]
        for split in SPLITS:
            records = [r for item, r in zip(items, results)
                       if item[0] == split]
            content = dict(
                info=dict(description=f'mmadvseg toy scenes ({self.color_mode}'
                          f' colours, seed {self.seed}, {self.size}px)'),
                images=[r[0] for r in records],
                annotations=[r[1] for r in records],
                categories=categories)
            with atomic_write(self.ann_file(split), 'w') as f:
                json.dump(content, f)
        write_settings(self.root, self.settings())

    def _remove_stale(self) -> None:
        """Delete scene files (``NNNNNN.png``) of an earlier, larger or
        different run: scenes beyond the counts and layouts not written."""
        for split in SPLITS:
            count = len(self.names(split))
            folders = {self.img_dir(split): count, self.seg_dir(split): count,
                       self.label_dir(split): count}
            for layout in LAYOUTS:
                keep = count if layout in self.layouts else 0
                paths = ([paired_path(self.root, split, 'x')]
                         if layout == 'paired' else
                         unpaired_paths(self.root, split, 'x'))
                folders.update({osp.dirname(p): keep for p in paths})
            for folder, keep in folders.items():
                if not osp.isdir(folder):
                    continue
                for name in os.listdir(folder):
                    stem, ext = osp.splitext(name)
                    if ext == '.png' and len(stem) == 6 and stem.isdigit() \
                            and int(stem) >= keep:
                        os.remove(osp.join(folder, name))


class _SceneWriter:
    """Picklable ``(split, name) -> (image record, annotation record)``."""

    def __init__(self, scenes: ToyScenes) -> None:
        self.scenes = scenes
        self.sketcher = None
        if scenes.sketch != 'outline':
            from ..datasets.sketch import build_sketcher
            self.sketcher = build_sketcher(
                scenes.sketch,
                **(dict(preset='xdog_paper') if scenes.sketch == 'xdog' else
                   {}))

    def __call__(self, item: Tuple[str, str]) -> Tuple[dict, dict]:
        split, name = item
        scenes, index = self.scenes, int(name)
        scene = render_scene(
            scene_rng(scenes.seed, split, index), scenes.size,
            scenes.color_mode)
        file_name = f'{name}.png'
        sketch = (scene.outline
                  if self.sketcher is None else self.sketcher(scene.photo))
        atomic_imwrite(osp.join(scenes.img_dir(split), file_name), scene.photo)
        atomic_imwrite(osp.join(scenes.seg_dir(split), file_name),
                       id2rgb(scene.seg)[..., ::-1])
        atomic_imwrite(osp.join(scenes.label_dir(split), file_name),
                       scene.labels)
        if scenes.layouts:
            write_sample(scenes.root, split, name, sketch, scene.photo,
                         scenes.layouts)
        image = dict(id=index, file_name=file_name, height=scenes.size,
                     width=scenes.size)
        ann = dict(image_id=index, file_name=file_name,
                   segments_info=scene.segments)
        return image, ann


def add_toy_scene_args(parser: Any,
                       seed_flags: Sequence[str] = ('--scene-seed', )) -> None:
    """Add the :class:`ToyScenes` options (``--num-train``, ``--size`` ...)
    to an ``argparse`` parser.

    Their defaults are None: :func:`toy_scenes_from_args` takes an option
    left out from the folder's record, else from :class:`ToyScenes`.

    Args:
        parser (argparse.ArgumentParser): Parser (or argument group).
        seed_flags (Sequence[str]): Flags of the scenes' seed (a tool may
            have a ``--seed`` of its own). Defaults to ('--scene-seed', ).
    """
    helps = dict(
        num_train='training scenes', num_test='test scenes',
        size='side of the scenes in pixels', seed='random seed',
        color_mode='distinct: a colour range per class; shared: one range '
        'for all (shape and texture matter)',
        sketch='rendered outlines, or XDoG/Canny of the photo',
        layouts='GAN layouts to write (none: panoptic only)')
    choices = dict(color_mode=COLOR_MODES, sketch=TOY_SKETCHES,
                   layouts=LAYOUTS)
    for f in fields(ToyScenes):
        if f.name == 'root':
            continue
        kwargs: Dict[str, Any] = dict(
            help=f'{helps[f.name]} (default: as recorded in the folder, '
            f'else {f.default})', choices=choices.get(f.name))
        if f.name == 'layouts':
            kwargs.update(nargs='*', default=None)
        else:
            kwargs.update(default=None, type=type(f.default),
                          metavar=None if f.name in choices else
                          f.name.upper())
        flags = (seed_flags if f.name == 'seed' else
                 ['--' + f.name.replace('_', '-')])
        parser.add_argument(*flags, dest=f'scene_{f.name}', **kwargs)


def toy_scenes_from_args(args: Any, root: Optional[str] = None) -> ToyScenes:
    """The :class:`ToyScenes` asked for by the options of
    :func:`add_toy_scene_args`.

    Args:
        args (argparse.Namespace): Parsed arguments.
        root (str, optional): Dataset root: options left out take the
            settings recorded there (:meth:`ToyScenes.from_root`). None:
            they take the defaults (the root is the default one, for the
            caller to replace).

    Returns:
        ToyScenes: The dataset.
    """
    options = {f.name: getattr(args, f'scene_{f.name}', None)
               for f in fields(ToyScenes) if f.name != 'root'}
    if root is not None:
        return ToyScenes.from_root(root, **options)
    return ToyScenes(**{k: v for k, v in options.items() if v is not None})


__all__ = [
    'ToyScenes', 'TOY_SKETCHES', 'add_toy_scene_args', 'toy_scenes_from_args'
]
