# Copyright (c) mmadvseg contributors. All rights reserved.
"""HED edge sketches: the network and the thinning post-process.

Xie and Tu, "Holistically-Nested Edge Detection", ICCV 2015. The network is
VGG16's five convolution stages; a 1x1 convolution on the last ReLU of every
stage gives a side output, bilinearly upsampled to the input size, and a 1x1
convolution over the five side outputs gives the fused edge probability.

Weights are never downloaded: pass a local file. The BSDS500 weights of the
original Caffe model as converted by sniklaus/pytorch-hed
(``network-bsds500.pytorch``) load directly, their key names
(``netVggOne.0.weight``/``moduleVggOne.0.weight``, ...) are mapped to ours.

The post-process follows the one used for the AdvSegLoss data (pix2pix's
``PostprocessHED.m``): non-maximum suppression along the edge normal,
threshold (25/255), morphological thinning to one pixel and removal of
connected components smaller than 5 pixels. It uses numpy and OpenCV only
(``cv2.ximgproc`` is not part of ``opencv-python``); the thinning is
Zhang-Suen's instead of MATLAB's ``bwmorph('thin')``.
"""
import os.path as osp
import warnings
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple, Union

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

#: Per-channel BGR mean subtracted from 0-255 inputs (HED's Caffe model).
HED_MEAN_BGR = (104.00698793, 116.66876762, 122.67891434)
#: Where the converted BSDS500 weights can be obtained.
HED_WEIGHTS_URL = ('http://content.sniklaus.com/github/pytorch-hed/'
                   'network-bsds500.pytorch')

_VGG16_STAGES = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
_SNIKLAUS_STAGES = ('One', 'Two', 'Thr', 'Fou', 'Fiv')


def _vgg_stage(in_channels: int, out_channels: int, num_convs: int,
               pool: bool) -> nn.Sequential:
    layers: List[nn.Module] = [nn.MaxPool2d(2, stride=2)] if pool else []
    for i in range(num_convs):
        layers += [
            nn.Conv2d(in_channels if i == 0 else out_channels, out_channels,
                      3, 1, 1),
            nn.ReLU(inplace=False)
        ]
    return nn.Sequential(*layers)


class HED(nn.Module):
    """Holistically-Nested Edge Detection network (VGG16 backbone).

    The layer indices inside ``stage1`` ... ``stage5`` match
    sniklaus/pytorch-hed, so its converted Caffe weights load after a
    renaming of prefixes (see :func:`convert_hed_state_dict`).

    Args:
        stages (tuple): ``(channels, num_convs)`` of each VGG stage.
            Defaults to VGG16's.
    """

    def __init__(self,
                 stages: Tuple[Tuple[int, int], ...] = _VGG16_STAGES) -> None:
        super().__init__()
        in_channels = 3
        for i, (channels, num_convs) in enumerate(stages):
            self.add_module(f'stage{i + 1}',
                            _vgg_stage(in_channels, channels, num_convs,
                                       i > 0))
            self.add_module(f'side{i + 1}', nn.Conv2d(channels, 1, 1))
            in_channels = channels
        self.num_stages = len(stages)
        self.fuse = nn.Conv2d(self.num_stages, 1, 1)
        self.register_buffer(
            'mean', torch.tensor(HED_MEAN_BGR).view(1, 3, 1, 1),
            persistent=False)

    def forward(self,
                img: torch.Tensor,
                return_sides: bool = False
                ) -> Union[torch.Tensor, Tuple[torch.Tensor, torch.Tensor]]:
        """Edge probabilities of a batch of BGR images.

        Args:
            img (torch.Tensor): ``(N, 3, H, W)`` BGR images in [0, 255].
            return_sides (bool): Also return the five side outputs.

        Returns:
            torch.Tensor | tuple: ``(N, 1, H, W)`` fused edge probability in
            [0, 1]; with ``return_sides`` also the ``(N, 5, H, W)`` side
            probabilities.
        """
        height, width = img.shape[-2:]
        x = img - self.mean
        sides = []
        for i in range(1, self.num_stages + 1):
            x = getattr(self, f'stage{i}')(x)
            side = getattr(self, f'side{i}')(x)
            sides.append(
                F.interpolate(
                    side, size=(height, width), mode='bilinear',
                    align_corners=False))
        side_logits = torch.cat(sides, dim=1)
        fused = torch.sigmoid(self.fuse(side_logits))
        if return_sides:
            return fused, torch.sigmoid(side_logits)
        return fused


def convert_hed_state_dict(state_dict: Dict[str, torch.Tensor]
                           ) -> Dict[str, torch.Tensor]:
    """Map sniklaus/pytorch-hed key names to :class:`HED`'s.

    Keys already in our naming pass unchanged; a ``state_dict`` entry of a
    checkpoint dict is unwrapped.

    Args:
        state_dict (dict): Loaded weights.

    Returns:
        dict: Weights with :class:`HED` key names.
    """
    if 'state_dict' in state_dict and isinstance(state_dict['state_dict'],
                                                 dict):
        state_dict = state_dict['state_dict']
    renames = {}
    for i, name in enumerate(_SNIKLAUS_STAGES, start=1):
        for prefix in ('net', 'module'):
            renames[f'{prefix}Vgg{name}.'] = f'stage{i}.'
            renames[f'{prefix}Score{name}.'] = f'side{i}.'
    renames.update({'netCombine.0.': 'fuse.', 'moduleCombine.0.': 'fuse.'})
    converted = OrderedDict()
    for key, value in state_dict.items():
        key = key[len('module.'):] if key.startswith('module.') else key
        for old, new in renames.items():
            if key.startswith(old):
                key = new + key[len(old):]
                break
        converted[key] = value
    return converted


def missing_weights_message(path: str) -> str:
    """The error message for an absent HED weights file."""
    return (f'HED weights not found: {path!r}. mmadvseg never downloads '
            'them. Get the BSDS500 HED weights converted to PyTorch, e.g. '
            f'`wget {HED_WEIGHTS_URL}` (from sniklaus/pytorch-hed; its key '
            'names are converted on load) or a state dict saved from '
            'mmadvseg.datasets.sketch.HED, and pass the file with '
            '--hed-weights PATH.')


def load_hed(weights: str, device: Union[str, torch.device] = 'cpu') -> HED:
    """Build :class:`HED` and load weights from a local file.

    Args:
        weights (str): Path of a state dict (ours or sniklaus/pytorch-hed's).
        device (str | torch.device): Device. Defaults to ``'cpu'``.

    Returns:
        HED: The network in eval mode, gradients off.
    """
    if not weights or not osp.isfile(weights):
        raise FileNotFoundError(missing_weights_message(weights))
    try:
        with warnings.catch_warnings():  # TypedStorage deprecation noise
            warnings.simplefilter('ignore', UserWarning)
            state = torch.load(
                weights, map_location='cpu', weights_only=True)
    except Exception as err:
        raise RuntimeError(f'{weights}: not a readable PyTorch state dict '
                           f'({err}); re-download the HED weights') from err
    model = HED()
    try:
        result = model.load_state_dict(
            convert_hed_state_dict(state), strict=False)
    except RuntimeError as err:  # shapes that do not match
        raise RuntimeError(f'{weights}: not HED weights ({str(err)[:300]})'
                           '; re-download the HED weights') from err
    if result.missing_keys or result.unexpected_keys:
        raise RuntimeError(
            f'{weights}: not HED weights; missing keys '
            f'{result.missing_keys[:4]}..., unexpected keys '
            f'{result.unexpected_keys[:4]}...')
    model.requires_grad_(False)
    return model.eval().to(device)


# ------------------------------------------------------------------ thinning
def _tri_blur(img: np.ndarray, radius: int = 4) -> np.ndarray:
    """Triangle filter (Piotr Dollar's ``convTri``)."""
    kernel = np.concatenate(
        [np.arange(1, radius + 2),
         np.arange(radius, 0, -1)]).astype(np.float32)
    kernel /= kernel.sum()
    return cv2.sepFilter2D(
        img, -1, kernel, kernel, borderType=cv2.BORDER_REFLECT)


def edge_orientation(edges: np.ndarray) -> np.ndarray:
    """Edge normal orientation in [0, pi) from second derivatives.

    Args:
        edges (np.ndarray): ``HxW`` float32 edge probability.

    Returns:
        np.ndarray: ``HxW`` float32 orientation.
    """
    smooth = _tri_blur(edges.astype(np.float32))
    oy, ox = np.gradient(smooth)
    oxx = np.gradient(ox, axis=1)
    oxy, oyy = np.gradient(oy, axis=1), np.gradient(oy, axis=0)
    # sign(-oxy) with sign(0) = 1, so that axis-aligned edges get a normal
    theta = np.arctan(oyy * np.where(oxy > 0, -1.0, 1.0) / (oxx + 1e-5))
    return np.mod(theta, np.pi).astype(np.float32)


def edge_nms(edges: np.ndarray,
             radius: int = 1,
             border: int = 5,
             multiplier: float = 1.01) -> np.ndarray:
    """Non-maximum suppression of an edge map along the edge normal.

    A pixel survives if ``multiplier * E`` is not below the bilinearly
    interpolated ``E`` at distances ``1..radius`` on both sides; values
    within ``border`` pixels of the image border fade out linearly.

    Args:
        edges (np.ndarray): ``HxW`` edge probability.
        radius (int): Suppression radius. Defaults to 1.
        border (int): Width of the border fade. Defaults to 5.
        multiplier (float): Tolerance factor. Defaults to 1.01.

    Returns:
        np.ndarray: ``HxW`` float32 thinned edge probability.
    """
    edges = edges.astype(np.float32)
    height, width = edges.shape
    theta = edge_orientation(edges)
    cos_t, sin_t = np.cos(theta), np.sin(theta)
    grid_y, grid_x = np.mgrid[0:height, 0:width].astype(np.float32)
    keep = np.ones_like(edges, dtype=bool)
    for dist in range(1, radius + 1):
        for sign in (-1.0, 1.0):
            neighbour = cv2.remap(
                edges,
                grid_x + sign * dist * cos_t,
                grid_y + sign * dist * sin_t,
                interpolation=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_REPLICATE)
            keep &= edges * multiplier >= neighbour
    out = np.where(keep, edges, 0.0).astype(np.float32)
    border = min(border, width // 2, height // 2)
    if border > 0:
        ramp = np.arange(border, dtype=np.float32) / border
        out[:, :border] *= ramp[None, :]
        out[:, width - border:] *= ramp[None, ::-1]
        out[:border, :] *= ramp[:, None]
        out[height - border:, :] *= ramp[::-1, None]
    return out


def thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a binary mask to one-pixel-wide lines.

    Args:
        mask (np.ndarray): ``HxW`` boolean (or 0/1) mask.

    Returns:
        np.ndarray: ``HxW`` boolean skeleton.
    """
    img = np.pad(mask.astype(bool), 1).astype(np.uint8)
    while True:
        changed = False
        for step in (0, 1):
            p = img
            # neighbours P2..P9, clockwise from north
            n = [p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:], p[2:, 2:],
                 p[2:, 1:-1], p[2:, :-2], p[1:-1, :-2], p[:-2, :-2]]
            count = sum(x.astype(np.int32) for x in n)
            transitions = sum(((n[i] == 0) & (n[(i + 1) % 8] == 1)).astype(
                np.int32) for i in range(8))
            if step == 0:
                cond = (n[0] * n[2] * n[4] == 0) & (n[2] * n[4] * n[6] == 0)
            else:
                cond = (n[0] * n[2] * n[6] == 0) & (n[0] * n[4] * n[6] == 0)
            remove = ((p[1:-1, 1:-1] == 1) & (count >= 2) & (count <= 6)
                      & (transitions == 1) & cond)
            if remove.any():
                img[1:-1, 1:-1][remove] = 0
                changed = True
        if not changed:
            return img[1:-1, 1:-1].astype(bool)


def remove_small_components(mask: np.ndarray, min_size: int) -> np.ndarray:
    """Drop 8-connected components with fewer than ``min_size`` pixels."""
    if min_size <= 1:
        return mask.astype(bool)
    num, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8)
    big = stats[:, cv2.CC_STAT_AREA] >= min_size
    big[0] = False
    return big[labels]


def postprocess_edges(edges: np.ndarray,
                      threshold: float = 25.0 / 255.0,
                      min_size: int = 5,
                      nms: bool = True) -> np.ndarray:
    """NMS, threshold, thinning and small-edge removal of an edge map.

    Args:
        edges (np.ndarray): ``HxW`` edge probability in [0, 1].
        threshold (float): Binarisation threshold. Defaults to 25/255.
        min_size (int): Smallest kept component, in pixels. Defaults to 5.
        nms (bool): Apply non-maximum suppression first. Defaults to True.

    Returns:
        np.ndarray: ``HxW`` boolean mask of one-pixel-wide edges.
    """
    if nms:
        edges = edge_nms(edges)
    return remove_small_components(thin(edges > threshold), min_size)


# ------------------------------------------------------------------ sketcher
def hed_sketch(img: np.ndarray,
               model: HED,
               postprocess: bool = False,
               threshold: float = 25.0 / 255.0,
               min_size: int = 5,
               input_size: Optional[int] = None) -> np.ndarray:
    """HED sketch of one image.

    Args:
        img (np.ndarray): ``HxW`` gray or ``HxWx3`` BGR uint8 image.
        model (HED): The network (see :func:`load_hed`).
        postprocess (bool): Apply :func:`postprocess_edges` (thin binary
            lines) instead of returning the soft edge map. Defaults to False.
        threshold (float): Threshold of the post-process.
        min_size (int): Smallest component kept by the post-process.
        input_size (int, optional): Run the network on a square resize of
            the image (the reference code used 500); the edge map is resized
            back. Defaults to None (native size).

    Returns:
        np.ndarray: ``HxW`` uint8 sketch, 255 = paper, 0 = ink.
    """
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    height, width = img.shape[:2]
    net_in = img if input_size is None else cv2.resize(
        img, (input_size, input_size), interpolation=cv2.INTER_LINEAR)
    device = next(model.parameters()).device
    tensor = torch.from_numpy(np.ascontiguousarray(net_in)).to(device)
    tensor = tensor.permute(2, 0, 1)[None].float()
    with torch.no_grad():
        prob = model(tensor)[0, 0].cpu().numpy()
    if prob.shape != (height, width):
        prob = cv2.resize(prob, (width, height),
                          interpolation=cv2.INTER_LINEAR)
    if postprocess:
        lines = postprocess_edges(prob, threshold, min_size)
        return np.where(lines, 0, 255).astype(np.uint8)
    return (255 - np.clip(np.rint(prob * 255.0), 0, 255)).astype(np.uint8)
