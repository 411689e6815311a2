# Copyright (c) mmadvseg contributors. All rights reserved.
"""An exported generator (``tools/deployment/export_onnx.py``) on
onnxruntime: the light deployment path, without torch or OpenMMLab.

The ONNX file carries its :class:`~.spec.GeneratorSpec` in its metadata.
Its inputs are the normalised sketch batch and, for a generator with
test-time dropout, one optional keep-mask per dropout layer. This backend
feeds the masks of the caller's seed from
:func:`~.dropout_masks.draw_masks`, as the PyTorch backend does, so a seed
gives the same colours on both.
"""
import os.path as osp
from typing import List, Optional

import numpy as np

from .dropout_masks import draw_masks, mask_names
from .spec import ONNX_METADATA_KEY, GeneratorSpec, ModelFileError

#: Names of the graph's inputs and output.
INPUT_NAME = 'sketch'
OUTPUT_NAME = 'photo'


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

    #: A line for the user about the backend (none: fp32 throughout).
    note: Optional[str] = None

    def __init__(self, path: str, device: str = 'cpu') -> None:
        import onnxruntime as ort
        if not osp.isfile(path):
            raise ModelFileError(f'{path}: ONNX file not found; check the '
                                 'path')
        providers = _providers(device)
        try:
            options = ort.SessionOptions()
            # errors only: not onnxruntime's note that the masks' defaults
            # (initializers that are inputs) are not folded as constants
            options.log_severity_level = 3
            self.session = ort.InferenceSession(path, options, providers)
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
        optional = self.session.get_overridable_initializers()
        if not {i.name for i in optional} >= set(
                mask_names(len(self.spec.dropout_layers))):
            raise ModelFileError(
                f'{path}: exported by an earlier mmadvseg (its dropout masks '
                'are required inputs); export it again with '
                'tools/deployment/export_onnx.py')

    def __call__(self, batch: np.ndarray, seed: int) -> np.ndarray:
        """Translate a normalised ``(N, 3, H, W)`` float32 batch with the
        dropout masks of ``seed``."""
        masks = draw_masks(self.spec, *batch.shape[2:], seed)
        feeds = dict(zip(mask_names(len(masks)), masks))
        feeds[INPUT_NAME] = batch
        return self.session.run([OUTPUT_NAME], feeds)[0]


__all__ = ['OnnxBackend', 'INPUT_NAME', 'OUTPUT_NAME']
