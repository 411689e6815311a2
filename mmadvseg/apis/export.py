# Copyright (c) mmadvseg contributors. All rights reserved.
"""Export a trained sketch -> photo generator to ONNX and check it.

The exported graph is the generator's test-time form
(:class:`~.inference_generator.InferenceGenerator`): per-image
normalisation, and for each dropout layer a keep-mask input, so the graph
is a pure function that onnxruntime and PyTorch must agree on. Batch,
height and width are dynamic. The :class:`~.spec.GeneratorSpec` goes into
the file's metadata. Before the file appears under its name, onnxruntime
runs it on real test sketches (at their size and at an odd size) beside
PyTorch with the same masks; a difference above the tolerance leaves no
file. Without test sketches (the config's data is not here) the check
images must be given.
"""
import warnings
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np

from ..utils.fileio import atomic_write
from .inputs import config_test_sketches
from .onnx_backend import INPUT_NAME, OUTPUT_NAME, draw_masks, mask_names
from .spec import ONNX_METADATA_KEY, GeneratorSpec


@dataclass
class ExportReport:
    """What :func:`export_onnx` wrote and measured.

    Args:
        path (str): The ONNX file.
        spec (GeneratorSpec): The generator's conventions.
        max_abs_diff (float): Largest difference between onnxruntime and
            PyTorch outputs, in the network's [-1, 1] range.
        checked (str): The check images and their sizes.
    """
    path: str
    spec: GeneratorSpec
    max_abs_diff: float
    checked: str


def check_onnx(net: Any, spec: GeneratorSpec, path: str,
               sketches: Sequence[np.ndarray]) -> float:
    """Largest output difference of onnxruntime against PyTorch on
    ``sketches`` with the same dropout masks.

    Args:
        net (InferenceGenerator): The PyTorch generator (CPU).
        spec (GeneratorSpec): Its conventions.
        path (str): The ONNX file.
        sketches (Sequence[np.ndarray]): ``HxWx3`` uint8 BGR images.

    Returns:
        float: Max absolute difference, in [-1, 1] units.
    """
    import onnxruntime as ort
    import torch
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    worst = 0.0
    for seed, img in enumerate(sketches):
        batch = spec.to_input([img])
        feeds = {INPUT_NAME: batch}
        feeds.update(draw_masks(spec, *batch.shape[2:], seed))
        ours = session.run([OUTPUT_NAME], feeds)[0]
        with torch.no_grad():
            ref = net(*(torch.from_numpy(v) for v in feeds.values()))
        worst = max(worst, float(np.abs(ours - ref.numpy()).max()))
    return worst


def export_onnx(config: str,
                checkpoint: str,
                out: str,
                sketches: Optional[Sequence[np.ndarray]] = None,
                tolerance: float = 1e-3,
                opset: int = 17) -> ExportReport:
    """Export the generator of a checkpoint to ONNX, checked.

    Args:
        config (str): Training config.
        checkpoint (str): Its checkpoint.
        out (str): The ``.onnx`` file to write.
        sketches (Sequence[np.ndarray], optional): Check images; default
            the config's test sketches.
        tolerance (float): Largest allowed difference in [-1, 1] units.
            Defaults to 1e-3.
        opset (int): ONNX opset. Defaults to 17.

    Returns:
        ExportReport: The file, the spec and the measured difference.

    Raises:
        ModelFileError: The config or checkpoint cannot be used.
        ValueError: No check image: no ``sketches`` and no test sketches.
        RuntimeError: onnxruntime disagrees with PyTorch (nothing is
            written).
    """
    import onnx
    import torch

    from .torch_backend import load_config, load_generator
    net, spec = load_generator(config, checkpoint, 'cpu')
    checked = 'the given sketches'
    if sketches is None:
        checked = 'the test sketches of the config'
        sketches = config_test_sketches(load_config(config))
        if not sketches:
            raise ValueError(
                f'{config}: its test sketches (test_dataloader.dataset.'
                'data_root) are not here to check the export against; pass '
                'sketches to check with (--check-images IMAGE ...)')
    if not sketches:
        raise ValueError('no check image: pass sketch files or folders that '
                         'hold images')
    # each at its size and cropped to an odd one (dynamic height and width)
    images = [s for img in sketches
              for s in (img, img[:max(img.shape[0] - 3, 5),
                                 :max(img.shape[1] - 7, 5)])]
    side = 4 * spec.size_multiple
    names = mask_names(len(spec.dropout_layers))
    masks = [torch.ones(shape, dtype=torch.bool)
             for shape in spec.mask_shapes(side, side)]
    axes = {name: {0: 'batch', 2: 'height', 3: 'width'}
            for name in (INPUT_NAME, OUTPUT_NAME)}
    for name, layer in zip(names, spec.dropout_layers):
        axes[name] = {2: f'height_{layer.stride}', 3: f'width_{layer.stride}'}
    with atomic_write(out) as tmp, warnings.catch_warnings():
        # the exporter's notes on padding slices and per-image norms
        warnings.filterwarnings('ignore', category=UserWarning,
                                module=r'torch\.onnx')
        torch.onnx.export(
            net, (torch.zeros(1, 3, side, side), *masks), tmp,
            input_names=[INPUT_NAME] + names, output_names=[OUTPUT_NAME],
            dynamic_axes=axes, opset_version=opset)
        model = onnx.load(tmp)
        onnx.helper.set_model_props(model,
                                    {ONNX_METADATA_KEY: spec.to_json()})
        onnx.checker.check_model(model)
        onnx.save(model, tmp)
        diff = check_onnx(net, spec, tmp, images)
        if not diff <= tolerance:
            raise RuntimeError(
                f'onnxruntime differs from PyTorch by {diff:.2e} (> '
                f'{tolerance:g}) on {checked}; {out} is not written. Try '
                'another --opset.')
    sizes = [f'{img.shape[1]}x{img.shape[0]}' for img in images]
    return ExportReport(out, spec, diff, f'{checked} ({", ".join(sizes)})')


__all__ = ['export_onnx', 'check_onnx', 'ExportReport']
