# Copyright (c) mmadvseg contributors. All rights reserved.
from typing import Optional

from mmagic.models.archs import PatchDiscriminator
from mmagic.models.utils import generation_init_weights
from mmagic.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class SegPatchDiscriminator(PatchDiscriminator):
    """A PatchGAN discriminator over segmentation maps.

    The 70x70 PatchGAN of Pix2Pix/CycleGAN applied to per-pixel class
    probabilities (multiclass: one channel per class; binary: thing and
    stuff), optionally conditioned on an image concatenated in front of the
    map (the reference Pix2Pix conditions on the real colour image).

    Same layers and state dict as mmagic's ``PatchDiscriminator`` over
    ``cat(condition, map)``; the first conv is computed as two convs over
    the condition's and the map's weight slices, which spares a copy of the
    many-channel map per call and keeps its gradient contiguous for the
    backward pass through the segmenter.

    Args:
        seg_channels (int): Channels of the segmentation map (the number of
            classes, or 2 for the thing/stuff map).
        condition_channels (int): Channels of the conditioning image, 0 for
            an unconditional discriminator. Defaults to 0.
        base_channels (int): Channels of the first conv layer. Defaults to 64.
        num_conv (int): Number of stacked intermediate convs (the depth).
            Defaults to 3.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict, optional): ``type`` (normal | xavier | kaiming |
            orthogonal) and ``gain`` of the initialisation. Defaults to
            N(0, 0.02).
    """

    def __init__(self,
                 seg_channels: int,
                 condition_channels: int = 0,
                 base_channels: int = 64,
                 num_conv: int = 3,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[dict] = dict(type='normal', gain=0.02)):
        super().__init__(
            in_channels=seg_channels + condition_channels,
            base_channels=base_channels,
            num_conv=num_conv,
            norm_cfg=norm_cfg,
            init_cfg=init_cfg)
        self.seg_channels = seg_channels
        self.condition_channels = condition_channels

    def forward(self,
                seg: Tensor,
                condition: Optional[Tensor] = None) -> Tensor:
        """Score a segmentation map, patch by patch.

        Args:
            seg (Tensor): Segmentation map, (N, seg_channels, H, W).
            condition (Tensor, optional): Conditioning image,
                (N, condition_channels, H, W); required if and only if
                ``condition_channels > 0``. Defaults to None.

        Returns:
            Tensor: Patch logits, (N, 1, H', W').
        """
        if (condition is None) != (self.condition_channels == 0):
            raise ValueError(
                f'SegPatchDiscriminator was built with condition_channels='
                f'{self.condition_channels} but called with condition='
                f'{None if condition is None else tuple(condition.shape)}')
        if condition is None:
            return self.model(seg)
        # conv(cat(condition, seg)) as the sum of two convs over slices of
        # the same weight: no concatenated copy of a (N, 133, H, W) map per
        # call, and the map's gradient comes back contiguous
        first = self.model[0]
        cc = self.condition_channels
        weight = first.conv.weight
        out = first.conv._conv_forward(seg, weight[:, cc:], first.conv.bias)
        out = out + first.conv._conv_forward(condition, weight[:, :cc], None)
        return self.model[1:](first.activate(out))

    def init_weights(self) -> None:
        """Initialise with ``generation_init_weights``.

        mmagic 1.2.0's ``PatchDiscriminator.init_weights`` dereferences
        ``init_cfg`` even when it is None; this one does not.
        """
        generation_init_weights(
            self, init_type=self.init_type, init_gain=self.init_gain)
        self._is_init = True
