# Copyright (c) mmadvseg contributors. All rights reserved.
import logging
from typing import NamedTuple, Optional, Union

import torch
import torch.nn.functional as F
from mmagic.registry import MODELS
from mmengine.logging import print_log
from mmengine.model import BaseModule
from torch import Tensor

from mmadvseg.utils.weights import resolve_weight_file

MASK2FORMER_R50_URL = (
    'https://download.openmmlab.com/mmdetection/v3.0/mask2former/'
    'mask2former_r50_8xb2-lsj-50e_coco-panoptic/'
    'mask2former_r50_8xb2-lsj-50e_coco-panoptic_20230118_125535-54df384a.pth')
MASK2FORMER_R50_CONFIG = (
    'mmdet::mask2former/mask2former_r50_8xb2-lsj-50e_coco-panoptic.py')


class SegMaps(NamedTuple):
    """Per-pixel segmentation maps of a batch of images.

    Attributes:
        probs (Tensor): Class probabilities, (N, num_classes, H, W), summing to
            1 over classes. Thing classes come first.
        binary (Tensor): Thing / stuff probabilities, (N, 2, H, W): the sums
            of ``probs`` over the thing and over the stuff classes.
    """
    probs: Tensor
    binary: Tensor

    @classmethod
    def from_labels(cls, labels: Tensor, num_classes: int,
                    num_things: int) -> 'SegMaps':
        """One-hot maps of (N, H, W) class labels (things first)."""
        probs = F.one_hot(labels.long(), num_classes).permute(0, 3, 1,
                                                              2).float()
        return cls(probs, thing_stuff_map(probs, num_things))


def thing_stuff_map(probs: Tensor, num_things: int) -> Tensor:
    """Sum class probabilities (things first) into a (N, 2, H, W)
    thing/stuff map."""
    return torch.stack(
        [probs[:, :num_things].sum(1), probs[:, num_things:].sum(1)], 1)


class _StraightThroughOneHot(torch.autograd.Function):
    """Exact one-hot of the argmax over dim 1 in the forward pass; the
    gradient of the identity in the backward pass."""

    @staticmethod
    def forward(ctx, probs: Tensor) -> Tensor:
        one_hot = F.one_hot(probs.argmax(1), probs.shape[1])
        return one_hot.permute(0, 3, 1, 2).to(probs.dtype)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        return grad


def _load_detector_cfg(config: Union[str, dict]):
    """The model config of an mmdet detector.

    ``config`` is an ``mmdet::`` name, a config file, a full config dict
    (with a ``model`` key) or a model dict.
    """
    from mmengine.config import Config, ConfigDict
    if isinstance(config, str):
        if config.startswith('mmdet::'):
            from mmengine.hub import get_config
            config = get_config(config)
        else:
            config = Config.fromfile(config)
    if isinstance(config, Config):
        return config.model
    config = ConfigDict(config)
    return config.get('model', config)

def build_frozen_detector(config: Union[str, dict],
                          checkpoint: Optional[str],
                          allow_random_init: bool = False,
                          owner: str = 'FrozenPanopticSegmenter') -> tuple:
    """Build an mmdet detector from its config and load its weights.

    Args:
        config (str | dict): An ``mmdet::`` name, a config file, a full
            config dict or a model dict.
        checkpoint (str, optional): Local path or https URL (resolved
            through the hub cache).
        allow_random_init (bool): Allow ``checkpoint=None`` (random
            weights, for tests and offline demos).
        owner (str): The class that asks, for messages.

    Returns:
        tuple: The detector (``nn.Module``, frozen weights not yet
        ``requires_grad_(False)``) and its ``data_preprocessor`` config.
    """
    from mmdet.registry import MODELS as MMDET_MODELS
    from mmengine.registry import DefaultScope

    model_cfg = _load_detector_cfg(config)
    # never fetch ImageNet weights for the backbone: ours come from the
    # panoptic checkpoint
    model_cfg.backbone.init_cfg = None
    model_cfg.init_cfg = None
    preprocess = model_cfg.pop('data_preprocessor', None) or {}
    with DefaultScope.overwrite_default_scope('mmdet'):
        detector = MMDET_MODELS.build(model_cfg)
    if checkpoint is not None:
        _load_weights(detector, checkpoint)
    elif allow_random_init:
        print_log(
            f'{owner} is built with RANDOM weights (checkpoint=None, '
            'allow_random_init=True): its segmentations are meaningless. Use '
            'this for tests and the offline demo only.',
            logger='current',
            level=logging.WARNING)
    else:
        raise ValueError(
            f'{owner} needs a checkpoint (a local path or an https URL). '
            'Random weights are only allowed with allow_random_init=True, '
            'for tests and the offline demo.')
    return detector, preprocess


def _load_weights(detector: torch.nn.Module, checkpoint: str) -> None:
    from mmengine.runner.checkpoint import (
        _load_checkpoint,
        _load_checkpoint_to_model,
    )
    filename = resolve_weight_file(checkpoint,
                                   'panoptic segmenter checkpoint')
    try:
        # 'silent': mmengine would print its "Loads checkpoint by local
        # backend" line to stdout outside a runner (the config names the file)
        ckpt = _load_checkpoint(filename, map_location='cpu',
                                logger='silent')
    except Exception as err:
        raise RuntimeError(
            f'Cannot read the segmenter checkpoint {filename!r} '
            f'({type(err).__name__}: {err}). The file is corrupt or not '
            'a PyTorch checkpoint: download it again.') from err
    try:
        _load_checkpoint_to_model(
            detector, ckpt, strict=True, revise_keys=[(r'^module\.', '')])
    except (RuntimeError, KeyError, TypeError) as err:
        head = detector.panoptic_fusion_head
        raise RuntimeError(
            f'The checkpoint {filename!r} does not match the segmenter '
            f'config (num_things={head.num_things_classes}, '
            f'num_stuff={head.num_stuff_classes}): was it trained with this '
            f'config?\n{err}') from err


@MODELS.register_module()
class FrozenPanopticSegmenter(BaseModule):
    """A frozen MaskFormer-family panoptic segmenter (mmdet), differentiable
    with respect to its input image.

    The stock mmdet inference ends in argmax/threshold fusion, which has no
    gradient. Here the last decoder layer's query class scores and mask
    logits are combined into per-pixel class scores
    ``sum_q softmax(cls_q)[c] * sigmoid(mask_q)``, normalised over classes, so
    the segmentation of a generated image carries gradients back to the
    generator while every weight of the segmenter stays frozen.

    Inputs follow mmagic: BGR tensors in [-1, 1] of any batch size and any
    height/width (padded to the size divisor and cropped back).

    Args:
        config (str | dict): An mmdet config (``mmdet::...`` name or file), a
            full config dict or a model dict. Defaults to Mask2Former R50
            COCO panoptic.
        checkpoint (str, optional): Local path or https URL of the weights
            (URLs are resolved through the hub cache,
            ``$TORCH_HOME/hub/checkpoints``). Defaults to the R50 COCO
            panoptic checkpoint.
        allow_random_init (bool): Allow ``checkpoint=None`` (random weights;
            for tests and the offline demo only). Defaults to False.
        eps (float): Added to every class score before normalisation, so
            pixels no query covers get a uniform distribution. Defaults to
            1e-6.
        init_cfg (dict, optional): Unused; the weights come from
            ``checkpoint``. Defaults to None.
    """

    def __init__(self,
                 config: Union[str, dict] = MASK2FORMER_R50_CONFIG,
                 checkpoint: Optional[str] = MASK2FORMER_R50_URL,
                 allow_random_init: bool = False,
                 eps: float = 1e-6,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.detector, preprocess = build_frozen_detector(
            config, checkpoint, allow_random_init, type(self).__name__)
        head = self.detector.panoptic_head
        self.num_things = head.num_things_classes
        self.num_stuff = head.num_stuff_classes
        self.num_classes = self.num_things + self.num_stuff
        self.eps = eps
        self.bgr_to_rgb = preprocess.get('bgr_to_rgb', True)
        self.size_divisor = preprocess.get('pad_size_divisor', 32)
        mean = preprocess.get('mean', [123.675, 116.28, 103.53])
        std = preprocess.get('std', [58.395, 57.12, 57.375])
        self.register_buffer(
            'mean', torch.tensor(mean).view(1, -1, 1, 1), persistent=False)
        self.register_buffer(
            'std', torch.tensor(std).view(1, -1, 1, 1), persistent=False)
        self.requires_grad_(False)
        self.eval()

    def init_weights(self) -> None:
        """Do nothing: the weights come from ``checkpoint`` and are never
        re-initialised."""

    def train(self, mode: bool = True) -> 'FrozenPanopticSegmenter':
        """Stay in eval mode whatever is asked (the runner, mmagic's
        ``forward_test`` and the visualisation hook call ``train()``)."""
        return super().train(False)

    def forward(self, inputs: Tensor, hard: bool = False) -> SegMaps:
        """Segment a batch of images.

        Runs with gradients when they are enabled and ``inputs`` requires
        grad; wrap reals in ``torch.no_grad()`` to build no graph.

        Args:
            inputs (Tensor): BGR images in [-1, 1], shape (N, 3, H, W).
            hard (bool): Return one-hot maps of the most likely class in the
                forward pass with the gradients of the soft maps
                (straight-through), like the reference code's hard maps;
                ``map(..., 'hard')``. Defaults to False.

        Returns:
            SegMaps: Class probabilities (N, num_classes, H, W) and the
            thing/stuff map (N, 2, H, W).
        """
        if inputs.dim() != 4 or inputs.shape[1] != 3:
            raise ValueError('FrozenPanopticSegmenter expects (N, 3, H, W) '
                             f'images, got shape {tuple(inputs.shape)}')
        height, width = inputs.shape[-2:]
        images = inputs.flip(1) if self.bgr_to_rgb else inputs
        images = ((images + 1) * 127.5 - self.mean) / self.std
        div = self.size_divisor
        pad_h, pad_w = (-height) % div, (-width) % div
        images = F.pad(images, (0, pad_w, 0, pad_h))

        feats = self.detector.extract_feat(images)
        cls_logits, mask_logits = self.detector.panoptic_head(feats, None)
        cls_scores = cls_logits[-1].softmax(-1)[..., :self.num_classes]
        masks = F.interpolate(
            mask_logits[-1],
            size=images.shape[-2:],
            mode='bilinear',
            align_corners=False)[..., :height, :width].sigmoid()
        scores = torch.einsum('nqc,nqhw->nchw', cls_scores, masks) + self.eps
        return self.map(scores / scores.sum(1, keepdim=True),
                        'hard' if hard else 'soft')

    def map(self,
            probs: Tensor,
            mode: str = 'soft',
            tau: float = 1.0,
            straight_through: bool = True) -> SegMaps:
        """The maps a discriminator sees, from the class probabilities.

        Args:
            probs (Tensor): Class probabilities (N, num_classes, H, W).
            mode (str): ``'soft'``: the probabilities; ``'hard'``: one-hot
                of the most likely class, with the gradients of the soft
                maps (straight-through); ``'gumbel'``: a Gumbel-softmax
                sample over the classes (``F.gumbel_softmax`` of the log
                probabilities), one-hot with straight-through gradients if
                ``straight_through``, else relaxed. Defaults to 'soft'.
            tau (float): Gumbel-softmax temperature. Defaults to 1.0.
            straight_through (bool): Gumbel: one-hot samples in the forward
                pass. Defaults to True.

        Returns:
            SegMaps: The class maps and their thing/stuff sums.
        """
        if mode == 'hard':
            probs = _StraightThroughOneHot.apply(probs)
        elif mode == 'gumbel':
            probs = F.gumbel_softmax(
                probs.log(), tau=tau, hard=straight_through, dim=1)
        elif mode != 'soft':
            raise ValueError(f"map mode must be 'soft', 'hard' or 'gumbel', "
                             f'got {mode!r}')
        return SegMaps(probs, self.thing_stuff(probs))

    def thing_stuff(self, probs: Tensor) -> Tensor:
        """Sum class probabilities into a (N, 2, H, W) thing/stuff map."""
        return thing_stuff_map(probs, self.num_things)
