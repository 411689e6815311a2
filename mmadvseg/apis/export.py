# Copyright (c) mmadvseg contributors. All rights reserved.
"""Export a trained sketch -> photo generator to ONNX and check it.

The exported graph is the generator's test-time form
(:class:`~.inference_generator.InferenceGenerator`); its interface:

- ``sketch``: float32 ``(N, 3, H, W)``, the sketches normalised as the
  data preprocessor does (``(pixel - mean) / std``, about [-1, 1], in the
  channel order of the spec); H and W multiples of ``size_multiple``
  (reflect-pad, then crop the output). N, H and W are dynamic.
- ``keep_mask_0`` ... ``keep_mask_{K-1}`` (Pix2Pix: one per dropout layer,
  in the order the network runs them; CycleGAN has none): float32
  ``(1, C_i, H / s_i, W / s_i)``, 1 = keep, 0 = drop, shared by the batch.
  Optional: each is a graph input with an initializer (ONNX IR >= 4), whose
  default ``(1, C_i, 1, 1)`` filled with ``1 - p`` turns dropout off (every
  activation at its expected value). Feed the masks of
  :func:`~.dropout_masks.draw_masks` for a seed's colours, the PyTorch
  backend's for that seed.
- ``photo``: float32 ``(N, 3, H, W)``, in the network's [-1, 1] range:
  ``pixel = clip(photo * std + mean, 0, 255)``.

``size_multiple``, ``mean``, ``std``, the channel order, ``p`` and the
masks' ``C_i, s_i`` are in the :class:`~.spec.GeneratorSpec` stored as JSON
in the file's metadata. Before the file appears under its name,
onnxruntime runs it on real test sketches (at their size and at an odd
size) beside PyTorch, with a seed's masks and with the sketch alone; a
difference above the tolerance leaves no file. Without test sketches (the
config's data is not here) the check images must be given.
"""
import warnings
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np

from ..utils.fileio import atomic_write
from .dropout_masks import draw_masks, expected_masks, mask_names
from .inputs import config_test_sketches
from .onnx_backend import INPUT_NAME, OUTPUT_NAME, OnnxBackend
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
    ``sketches``, with the masks of a seed and with the sketch alone (the
    default masks: dropout off).

    Args:
        net (InferenceGenerator): The PyTorch generator (CPU).
        spec (GeneratorSpec): Its conventions.
        path (str): The ONNX file.
        sketches (Sequence[np.ndarray]): ``HxWx3`` uint8 BGR images.

    Returns:
        float: Max absolute difference, in [-1, 1] units.
    """
    import torch
    session = OnnxBackend(path).session
    worst = 0.0
    for seed, img in enumerate(sketches):
        batch = spec.to_input([img])
        masks = draw_masks(spec, *batch.shape[2:], seed)
        for fed in [[], masks] if masks else [[]]:
            feeds = dict(zip(mask_names(len(fed)), fed))
            feeds[INPUT_NAME] = batch
            ours = session.run([OUTPUT_NAME], feeds)[0]
            with torch.no_grad():
                ref = net(*map(torch.from_numpy, [batch, *fed])).numpy()
            worst = max(worst, float(np.abs(ours - ref).max()))
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
    masks = [torch.ones(shape) for shape in spec.mask_shapes(side, side)]
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
        # the masks' defaults make them optional inputs
        model.graph.initializer.extend(
            onnx.numpy_helper.from_array(default, name)
            for name, default in zip(names, expected_masks(spec)))
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
