# Copyright (c) mmadvseg contributors. All rights reserved.
"""What a sketch -> photo generator expects and returns, shared by the
PyTorch and the onnxruntime backends (numpy only: no torch here).

A :class:`GeneratorSpec` holds the data preprocessor's normalisation, the
size multiple the network needs and its test-time dropout layers. It turns
8-bit images into the network's input (reflect padding to the multiple,
normalisation) and the network's output back into 8-bit images cropped to
each input's size, exactly as mmagic's data preprocessor and
``tools/test.py`` do. It travels inside exported ONNX files as JSON.
"""
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

#: Key of the spec in an ONNX file's metadata.
ONNX_METADATA_KEY = 'mmadvseg_generator_spec'


class ModelFileError(ValueError):
    """A config, checkpoint, work dir or ONNX file that cannot be used; the
    message names the file and the fix."""


@dataclass(frozen=True)
class DropoutLayer:
    """A dropout layer of the generator: the feature map it masks has
    ``channels`` channels at ``1/stride`` of the input size."""
    channels: int
    stride: int


@dataclass(frozen=True)
class GeneratorSpec:
    """The input and output conventions of a generator.

    Args:
        mean (tuple[float]): Per-channel mean of the data preprocessor, in
            the order the network sees.
        std (tuple[float]): Per-channel std, same order.
        rgb (bool): The network sees RGB (mmagic's
            ``output_channel_order='RGB'``); False: BGR, as read by OpenCV.
        size_multiple (int): Height and width must be multiples of this
            (the product of the strides of the down-sampling layers).
        dropout_p (float): Drop probability of the test-time dropout layers.
        dropout_layers (tuple[DropoutLayer]): Those layers, in the order
            the network runs them.
        description (str): The generator in words, for messages.
        work_size (int, optional): Longer side of the images the model was
            trained and tested at (its config's test ``Resize``; see
            :func:`~.model_files.working_size`): the colorizer translates
            at this scale by default. None: not recorded (older ONNX
            files).
    """
    mean: Tuple[float, ...] = (127.5, 127.5, 127.5)
    std: Tuple[float, ...] = (127.5, 127.5, 127.5)
    rgb: bool = False
    size_multiple: int = 4
    dropout_p: float = 0.0
    dropout_layers: Tuple[DropoutLayer, ...] = field(default_factory=tuple)
    description: str = ''
    work_size: Optional[int] = None

    @property
    def stochastic(self) -> bool:
        """Whether outputs depend on the random seed (test-time dropout)."""
        return bool(self.dropout_layers) and self.dropout_p > 0

    # -- geometry ---------------------------------------------------------
    def padded_shape(self, height: int, width: int) -> Tuple[int, int]:
        """The size an image is padded to: the next multiples of
        :attr:`size_multiple`, at least two of them (the residual blocks
        pad their feature maps by reflection)."""
        m = self.size_multiple
        return (max(-(-height // m), 2) * m, max(-(-width // m), 2) * m)

    def mask_shapes(self, height: int,
                    width: int) -> List[Tuple[int, int, int, int]]:
        """Shapes ``(1, C, h, w)`` of the dropout masks for a padded input
        of ``height x width`` (one mask serves the whole batch)."""
        return [(1, layer.channels, height // layer.stride,
                 width // layer.stride) for layer in self.dropout_layers]

    # -- images <-> network -----------------------------------------------
    def to_input(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """Pad (reflect) and normalise same-shape-after-padding images.

        Args:
            images (Sequence[np.ndarray]): ``HxWx3`` uint8 BGR images whose
                :meth:`padded_shape` is the same.

        Returns:
            np.ndarray: ``(N, 3, H, W)`` float32 network input.
        """
        height, width = self.padded_shape(*images[0].shape[:2])
        batch = np.empty((len(images), height, width, 3), np.float32)
        for out, img in zip(batch, images):
            h, w = img.shape[:2]
            out[...] = np.pad(img, ((0, height - h), (0, width - w), (0, 0)),
                              mode='reflect' if h > 1 and w > 1 else 'edge')
        if self.rgb:
            batch = batch[..., ::-1]
        batch = (batch - np.float32(self.mean)) / np.float32(self.std)
        return np.ascontiguousarray(batch.transpose(0, 3, 1, 2))

    def to_images(self, outputs: np.ndarray,
                  sizes: Sequence[Tuple[int, int]]) -> List[np.ndarray]:
        """De-normalise network outputs into 8-bit images, each cropped to
        its input's size (mmagic's ``destruct`` and the rounding of
        ``tools/test.py``'s saved images).

        Args:
            outputs (np.ndarray): ``(N, 3, H, W)`` float network output.
            sizes (Sequence[tuple[int, int]]): ``(height, width)`` of each
                input before padding.

        Returns:
            list[np.ndarray]: ``HxWx3`` uint8 BGR images.
        """
        images = outputs.transpose(0, 2, 3, 1) * np.float32(
            self.std) + np.float32(self.mean)
        images = np.rint(np.clip(images, 0, 255)).astype(np.uint8)
        if self.rgb:
            images = images[..., ::-1]
        return [
            np.ascontiguousarray(img[:h, :w])
            for img, (h, w) in zip(images, sizes)
        ]

    # -- serialisation ----------------------------------------------------
    def to_json(self) -> str:
        """The spec as JSON (stored in exported ONNX files)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> 'GeneratorSpec':
        """Read a spec written by :meth:`to_json`."""
        values: Dict[str, Any] = json.loads(text)
        values['mean'] = tuple(values['mean'])
        values['std'] = tuple(values['std'])
        values['dropout_layers'] = tuple(
            DropoutLayer(**layer) for layer in values['dropout_layers'])
        return cls(**values)


__all__ = ['GeneratorSpec', 'DropoutLayer', 'ModelFileError',
           'ONNX_METADATA_KEY']
