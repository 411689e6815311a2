# Copyright (c) mmadvseg contributors. All rights reserved.
"""An exported generator (``tools/deployment/export_onnx.py``) on
onnxruntime: the light deployment path, without torch or OpenMMLab.

The ONNX file carries its :class:`~.spec.GeneratorSpec` in its metadata.
Its inputs are the normalised sketch batch and, for a generator with
test-time dropout, one keep-mask per dropout layer; the masks are drawn
here with numpy from the caller's seed (one per layer and batch, like the
PyTorch backend), so a seed reproduces the colours on onnxruntime, but they
are other masks than PyTorch draws for the same seed.
"""
import os.path as osp
from typing import Dict, List

import numpy as np

from .spec import ONNX_METADATA_KEY, GeneratorSpec, ModelFileError

#: Names of the graph's inputs and output.
INPUT_NAME = 'sketch'
OUTPUT_NAME = 'photo'


def mask_names(count: int) -> List[str]:
    """Input names of the dropout masks."""
    return [f'keep_mask_{i}' for i in range(count)]


def draw_masks(spec: GeneratorSpec, height: int, width: int,
               seed: int) -> Dict[str, np.ndarray]:
    """The dropout keep-masks for a padded ``height x width`` batch.

    Args:
        spec (GeneratorSpec): The generator.
        height (int): Padded input height.
        width (int): Padded input width.
        seed (int): Random seed.

    Returns:
        dict[str, np.ndarray]: Input name -> ``(1, C, h, w)`` bool mask.
    """
    rng = np.random.default_rng(seed)
    keep = 1.0 - spec.dropout_p
    shapes = spec.mask_shapes(height, width)
    return {
        name: rng.random(shape, dtype=np.float32) < keep
        for name, shape in zip(mask_names(len(shapes)), shapes)
    }


def _providers(device: str) -> List[str]:
    import onnxruntime as ort
    if device == 'cpu':
        return ['CPUExecutionProvider']
    if device.startswith('cuda'):
        if 'CUDAExecutionProvider' not in ort.get_available_providers():
            raise ValueError(
                f'device {device!r}: this onnxruntime has no CUDA support '
                '(pip install onnxruntime-gpu), or use --device cpu')
        index = int(device.partition(':')[2] or 0)
        return [('CUDAExecutionProvider', dict(device_id=index)),
                'CPUExecutionProvider']
    raise ValueError(f'unsupported device {device!r}: use cpu, cuda or '
                     'cuda:N')


class OnnxBackend:
    """Runs an exported generator on numpy batches with onnxruntime.

    Args:
        path (str): ``.onnx`` file written by ``export_onnx``.
        device (str): ``'cpu'`` or ``'cuda[:N]'`` (needs onnxruntime-gpu).

    Raises:
        ModelFileError: Missing or corrupt file, or an ONNX model that was
            not exported by mmadvseg.
    """

    def __init__(self, path: str, device: str = 'cpu') -> None:
        import onnxruntime as ort
        if not osp.isfile(path):
            raise ModelFileError(f'{path}: ONNX file not found; check the '
                                 'path')
        providers = _providers(device)
        try:
            self.session = ort.InferenceSession(path, providers=providers)
        except Exception as err:  # noqa: BLE001  (onnxruntime's own errors)
            raise ModelFileError(
                f'{path}: cannot load the ONNX model ({type(err).__name__}:'
                f' {str(err).strip()[:200]}); the file is corrupt: export '
                'it again with tools/deployment/export_onnx.py') from None
        meta = self.session.get_modelmeta().custom_metadata_map
        if ONNX_METADATA_KEY not in meta:
            raise ModelFileError(
                f'{path}: an ONNX model without mmadvseg\'s generator '
                'metadata; export the checkpoint with '
                'tools/deployment/export_onnx.py')
        self.spec = GeneratorSpec.from_json(meta[ONNX_METADATA_KEY])

    def __call__(self, batch: np.ndarray, seed: int) -> np.ndarray:
        """Translate a normalised ``(N, 3, H, W)`` float32 batch."""
        feeds = {INPUT_NAME: batch}
        if self.spec.dropout_layers:
            feeds.update(draw_masks(self.spec, *batch.shape[2:], seed))
        return self.session.run([OUTPUT_NAME], feeds)[0]


__all__ = ['OnnxBackend', 'draw_masks', 'mask_names', 'INPUT_NAME',
           'OUTPUT_NAME']
