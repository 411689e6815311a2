# Copyright (c) mmadvseg contributors. All rights reserved.
"""Semantic accuracy of generated toy scenes against their ground truth.

The procedural toy scenes (:mod:`mmadvseg.datasets.toy_scenes`) carry
panoptic ground truth, so the colorization of a toy sketch can be judged
against the true labels rather than against the segmentation of the real
photo: an *evaluation* segmenter (trained independently of the one that
guided the GAN) segments the generated image, and its per-pixel argmax is
compared with the ground-truth semantic labels of the scene.
"""
import json
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
import torch.nn as nn
from mmagic.registry import METRICS

from ...datasets.toy_scenes import TOY_METAINFO
from ..functional import confusion_matrix, thing_stuff_scores, to_unit_rgb
from .base import SegmenterMetric, segment_labels

#: Label of pixels without a segment (none in generated toy scenes).
IGNORE_INDEX = 255


def locate_toy_ground_truth(image_path: str) -> Tuple[str, str, str]:
    """Dataset root, split and scene name of a toy scene file.

    Understands every file :func:`~mmadvseg.datasets.generate_toy_scenes`
    writes for a scene: ``root/paired/{split}/NAME.png``,
    ``root/unpaired/{split}{A,B}/NAME.png``, ``root/images/{split}/NAME.png``
    and ``root/panoptic/{split}/NAME.png``.

    Args:
        image_path (str): Path of one of the scene's files.

    Returns:
        tuple[str, str, str]: ``(root, split, name)``.
    """
    folder, file_name = osp.split(osp.abspath(str(image_path)))
    name = osp.splitext(file_name)[0]
    parent, sub = osp.split(folder)
    layout = osp.basename(parent)
    if layout in ('paired', 'images', 'panoptic') and sub in ('train',
                                                               'test'):
        return osp.dirname(parent), sub, name
    if layout == 'unpaired' and sub[:-1] in ('train', 'test') \
            and sub[-1] in 'AB':
        return osp.dirname(parent), sub[:-1], name
    raise ValueError(f'{image_path!r} is not a toy scene file (expected '
                     'root/{paired,images,panoptic}/{train,test}/NAME.png or '
                     'root/unpaired/{train,test}{A,B}/NAME.png)')


class ToyGroundTruth:
    """Ground-truth semantic labels of toy scenes, read from the COCO
    panoptic annotations (segment id = R + 256 G + 256^2 B).

    Class indices follow ``TOY_METAINFO['classes']`` (things first, as in
    mmdet): category ids are mapped by name, so index 0..5 = elephant, sheep,
    bird, sky, grass, water. Unlabelled pixels get :data:`IGNORE_INDEX`.
    """

    def __init__(self) -> None:
        self._splits: Dict[Tuple[str, str], Dict[str, List[dict]]] = {}
        self._categories: Dict[Tuple[str, str], Dict[int, int]] = {}

    def _load(self, root: str, split: str) -> None:
        key = (root, split)
        if key in self._splits:
            return
        ann_file = osp.join(root, 'annotations', f'panoptic_{split}.json')
        with open(ann_file) as f:
            content = json.load(f)
        classes = list(TOY_METAINFO['classes'])
        self._categories[key] = {
            c['id']: classes.index(c['name'])
            for c in content['categories']
        }
        self._splits[key] = {
            osp.splitext(a['file_name'])[0]: a['segments_info']
            for a in content['annotations']
        }

    def labels(self, root: str, split: str, name: str) -> np.ndarray:
        """``(H, W)`` int64 class indices of scene ``name``."""
        self._load(root, split)
        key = (root, split)
        png = cv2.imread(
            osp.join(root, 'panoptic', split, f'{name}.png'),
            cv2.IMREAD_COLOR)
        if png is None:
            raise FileNotFoundError(
                f'no panoptic mask for scene {name!r} in {root}/{split}')
        rgb = png[..., ::-1].astype(np.int64)
        seg = rgb[..., 0] + 256 * rgb[..., 1] + 65536 * rgb[..., 2]
        out = np.full(seg.shape, IGNORE_INDEX, np.int64)
        for info in self._splits[key][name]:
            out[seg == info['id']] = self._categories[key][info['category_id']]
        return out

    def labels_for(self, image_path: str) -> np.ndarray:
        """Labels of the scene that ``image_path`` belongs to."""
        return self.labels(*locate_toy_ground_truth(image_path))


def _resize_labels(labels: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
    if labels.shape == tuple(shape):
        return labels
    return cv2.resize(
        labels.astype(np.uint8), (shape[1], shape[0]),
        interpolation=cv2.INTER_NEAREST).astype(np.int64)


def _accumulate(cm: np.ndarray, cm_bin: np.ndarray, gt: np.ndarray,
                pred: np.ndarray, pred_bin: np.ndarray,
                num_things: int) -> None:
    valid = gt != IGNORE_INDEX
    num_classes = cm.shape[0]
    cm += confusion_matrix(gt[valid], pred[valid], num_classes)
    cm_bin += confusion_matrix((gt[valid] >= num_things).astype(np.int64),
                               pred_bin[valid], 2)


def _segment(segmenter: nn.Module, rgb01: torch.Tensor) -> tuple:
    """Argmax class and thing/stuff labels of RGB [0, 1] images, numpy."""
    return tuple(t.cpu().numpy() for t in segment_labels(segmenter, rgb01))


@torch.no_grad()
def toy_segmentation_scores(segmenter: nn.Module,
                            root: str,
                            split: str = 'test',
                            batch_size: int = 16) -> Dict[str, float]:
    """Scores of a segmenter on the real photos of a toy-scene split.

    Args:
        segmenter (nn.Module): A ``FrozenPanopticSegmenter`` (BGR [-1, 1]
            in, ``(probs, binary)`` out, ``num_things``).
        root (str): Toy dataset root.
        split (str): ``'train'`` or ``'test'``.
        batch_size (int): Images per forward pass.

    Returns:
        dict[str, float]: ``mIoU``, ``aAcc`` (also ``_thing``, ``_stuff``),
        ``mIoU_binary``, ``aAcc_binary``, ``num_images``.
    """
    gt = ToyGroundTruth()
    img_dir = osp.join(root, 'images', split)
    with open(osp.join(root, 'annotations', f'panoptic_{split}.json')) as f:
        names = [
            osp.splitext(i['file_name'])[0] for i in json.load(f)['images']
        ]
    num_classes, num_things = segmenter.num_classes, segmenter.num_things
    cm = np.zeros((num_classes, num_classes), np.int64)
    cm_bin = np.zeros((2, 2), np.int64)
    device = next(iter(segmenter.buffers())).device
    for start in range(0, len(names), batch_size):
        batch = names[start:start + batch_size]
        imgs = [cv2.imread(osp.join(img_dir, f'{n}.png')) for n in batch]
        rgb = torch.from_numpy(np.stack(imgs)[..., ::-1].copy()).permute(
            0, 3, 1, 2).float().div(255).to(device)
        pred, pred_bin = _segment(segmenter, rgb)
        for i, name in enumerate(batch):
            labels = gt.labels(root, split, name)
            _accumulate(cm, cm_bin, _resize_labels(labels, pred[i].shape),
                        pred[i], pred_bin[i], num_things)
    scores = thing_stuff_scores(cm, cm_bin, num_things)
    scores['num_images'] = len(names)
    return scores


@METRICS.register_module()
class ToySemanticAccuracy(SegmenterMetric):
    """Semantic accuracy of generated toy scenes against ground truth.

    An evaluation segmenter (``FrozenPanopticSegmenter``; use one trained
    independently of the segmenter that guided training) segments every
    generated image; its argmax labels are compared with the ground-truth
    semantic labels of the scene (found from the data sample's path, see
    :func:`locate_toy_ground_truth`). Reported, from confusion matrices
    accumulated over the whole set:

    - ``mIoU``, ``aAcc`` (and ``_thing`` / ``_stuff``): the 6 toy classes;
    - ``mIoU_binary``, ``aAcc_binary``: thing vs stuff (argmax of the
      segmenter's thing/stuff map);
    - ``L1``: mean absolute difference between the generated and the real
      photo of the same scene, RGB in [0, 1] (skipped when the real image is
      not the same scene, e.g. shuffled unpaired data);
    - with ``with_real``, the same segmentation scores for the real photos
      of the same scenes (``real_mIoU`` ...): the ceiling the evaluation
      segmenter allows;
    - ``num_images``.

    Args:
        segmenter (dict | nn.Module): Config of the evaluation segmenter
            (mmagic ``MODELS``), built lazily, or a module.
        fake_key (str): Key of the generated image. Defaults to
            'fake_photo'.
        real_key (str): Key of the real image. Defaults to 'img_photo'.
        path_keys (Sequence[str]): Data-sample keys holding the path of the
            source scene, tried in order (``pair_path`` for paired data,
            ``img_sketch_path`` for unpaired data, whose fakes are translated
            sketches). Defaults to ('pair_path', 'img_sketch_path').
        real_path_key (str): Key of the real image's path, to check that it
            is the same scene before computing L1 and the ``real_`` scores
            (unpaired data); None when the real image always is (paired
            data). Defaults to 'img_photo_path'.
        with_real (bool): Also score the real photos. Defaults to True.
        batch_size (int): Images per segmenter forward pass. Defaults to 16.
        **kwargs: ``sample_model``, ``channel_order``, ``value_range``,
            ``quantize``, ``device``, ``collect_device``, ``prefix`` of
            :class:`TranslationMetric`.
    """

    def __init__(self,
                 segmenter: Union[dict, nn.Module],
                 fake_key: str = 'fake_photo',
                 real_key: str = 'img_photo',
                 path_keys: Sequence[str] = ('pair_path', 'img_sketch_path'),
                 real_path_key: Optional[str] = 'img_photo_path',
                 with_real: bool = True,
                 batch_size: int = 16,
                 **kwargs) -> None:
        super().__init__(segmenter, fake_key, real_key, batch_size, **kwargs)
        self.path_keys = tuple(path_keys)
        self.real_path_key = real_path_key
        self.with_real = with_real
        self.ground_truth = ToyGroundTruth()

    def _source_path(self, sample: Dict[str, Any]) -> str:
        for key in self.path_keys:
            value = sample.get(key)
            if value is None and isinstance(sample.get('metainfo'), dict):
                value = sample['metainfo'].get(key)
            if value is not None:
                return value[0] if isinstance(value, (list, tuple)) else value
        raise KeyError(f'{type(self).__name__}: none of {self.path_keys} in '
                       f'the data sample; available keys: {sorted(sample)}')

    def _same_scene(self, sample: Dict[str, Any], source: str) -> bool:
        if self.real_path_key is None or self.real_path_key not in sample:
            return True
        real = sample[self.real_path_key]
        real = real[0] if isinstance(real, (list, tuple)) else real
        return osp.splitext(osp.basename(real))[0] == osp.splitext(
            osp.basename(source))[0]

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Segment the fakes (and reals) of a batch against ground truth.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): The model's outputs as dicts.
        """
        fakes = [self._get_image(s, self.fake_key) for s in data_samples]
        reals = [self._get_image(s, self.real_key) for s in data_samples]
        paths = [self._source_path(s) for s in data_samples]
        device = self._target_device(fakes[0])
        segmenter = self._get_segmenter(device)
        num_classes, num_things = segmenter.num_classes, segmenter.num_things
        with torch.inference_mode():
            for start in range(0, len(fakes), self.batch_size):
                stop = start + self.batch_size
                fake = to_unit_rgb(
                    torch.stack(fakes[start:stop]).to(device),
                    self.channel_order, self.value_range, self.quantize)
                real = to_unit_rgb(
                    torch.stack(reals[start:stop]).to(device),
                    self.channel_order, self.value_range, self.quantize)
                images = torch.cat([fake, real]) if self.with_real else fake
                pred, pred_bin = _segment(segmenter, images)
                for i, path in enumerate(paths[start:stop]):
                    sample = data_samples[start + i]
                    labels = _resize_labels(
                        self.ground_truth.labels_for(path), pred[i].shape)
                    result = dict(num_classes=num_classes,
                                  num_things=num_things)
                    # the real image is scored (and compared) only against
                    # its own scene's labels
                    same_scene = self._same_scene(sample, path)
                    for prefix, j in (('', i), ('real_', len(fake) + i)):
                        if prefix and not (self.with_real and same_scene):
                            continue
                        cm = np.zeros((num_classes, num_classes), np.int64)
                        cm_bin = np.zeros((2, 2), np.int64)
                        _accumulate(cm, cm_bin, labels, pred[j], pred_bin[j],
                                    num_things)
                        result[f'{prefix}cm'] = cm
                        result[f'{prefix}cm_bin'] = cm_bin
                    if fake[i].shape == real[i].shape and same_scene:
                        result['l1'] = float(
                            (fake[i] - real[i]).abs().mean().cpu())
                    self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Scores from the summed confusion matrices.

        Args:
            results (list[dict]): Per-image confusion matrices and L1.

        Returns:
            dict[str, float]: The scores listed in the class docstring.
        """
        num_things = results[0]['num_things']
        metrics = {}
        for prefix in ('', 'real_'):
            scored = [r for r in results if f'{prefix}cm' in r]
            if not scored:
                continue
            cm = sum(r[f'{prefix}cm'] for r in scored)
            cm_bin = sum(r[f'{prefix}cm_bin'] for r in scored)
            for key, value in thing_stuff_scores(cm, cm_bin,
                                                 num_things).items():
                metrics[f'{prefix}{key}'] = value
        l1 = [r['l1'] for r in results if 'l1' in r]
        metrics['L1'] = float(np.mean(l1)) if l1 else float('nan')
        metrics['num_images'] = len(results)
        return metrics


__all__ = [
    'ToySemanticAccuracy', 'ToyGroundTruth', 'locate_toy_ground_truth',
    'toy_segmentation_scores', 'IGNORE_INDEX'
]
