# Copyright (c) mmadvseg contributors. All rights reserved.
"""Export a trained sketch -> photo generator to ONNX and check it.

The exported graph is the generator's test-time form
(:class:`~.test_time.TestTimeGenerator`): per-image normalisation, and for
each dropout layer a keep-mask input, so the graph is a pure function that
onnxruntime and PyTorch must agree on. Batch, height and width are dynamic.
The :class:`~.spec.GeneratorSpec` goes into the file's metadata. Before
the file appears under its name, onnxruntime runs it on real test sketches
(at their size and at an odd size) beside PyTorch with the same masks; a
difference above the tolerance leaves no file.
"""
import os.path as osp
import sys
import warnings
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence

import numpy as np

from ..datasets.layouts import scan_images
from ..utils.fileio import atomic_write
from .inputs import collect_images, load_image
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


def config_test_sketches(cfg: Any, limit: int = 4) -> List[np.ndarray]:
    """The first sketches of a config's test set (the left half of paired
    A|B images, ``testA`` of unpaired data); empty when absent.

    Args:
        cfg (Config): Training config.
        limit (int): Most sketches returned. Defaults to 4.

    Returns:
        list[np.ndarray]: ``HxWx3`` uint8 BGR sketches.
    """
    dataset = cfg.get('test_dataloader', {}).get('dataset', {})
    root = dataset.get('data_root') or ''
    paired = dataset.get('type') == 'PairedImageDataset'
    folder = osp.join(root, 'test' if paired else 'testA')
    sketches = []
    for path in scan_images(folder)[:limit] if osp.isdir(folder) else []:
        img = load_image(path)
        sketches.append(img[:, :img.shape[1] // 2] if paired else img)
    return sketches


def _toy_sketch(size: int = 256) -> np.ndarray:
    from ..toy import render_scene, scene_rng
    outline = render_scene(scene_rng(0, 'test', 0), size, 'distinct').outline
    return np.repeat(outline[..., None], 3, axis=2)


def check_onnx(net: Any, spec: GeneratorSpec, path: str,
               sketches: Sequence[np.ndarray]) -> float:
    """Largest output difference of onnxruntime against PyTorch on
    ``sketches`` with the same dropout masks.

    Args:
        net (TestTimeGenerator): The PyTorch generator (CPU).
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
            the config's test sketches, else a toy-scene outline.
        tolerance (float): Largest allowed difference in [-1, 1] units.
            Defaults to 1e-3.
        opset (int): ONNX opset. Defaults to 17.

    Returns:
        ExportReport: The file, the spec and the measured difference.

    Raises:
        ModelFileError: The config or checkpoint cannot be used.
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
        sketches, checked = [_toy_sketch()], 'a toy-scene sketch'
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


def export_command(args: Any) -> int:
    """Run ``tools/deployment/export_onnx.py`` with its parsed arguments
    (``model``: CONFIG CHECKPOINT or WORK_DIR; ``out``, ``check_images``,
    ``tolerance``, ``opset``).

    Returns:
        int: 0 on success; 1 after one ``error:`` line.
    """
    from .colorizer import resolve_model
    try:
        if len(args.model) > 2 or not args.out.endswith('.onnx'):
            raise ValueError('usage: CONFIG CHECKPOINT or WORK_DIR, and '
                             '--out FILE.onnx')
        config, checkpoint = resolve_model(*args.model)
        if not config:
            raise ValueError(f'{checkpoint} is already an ONNX model')
        sketches = None
        if args.check_images:
            sketches = [load_image(path)
                        for path, _ in collect_images(args.check_images)]
        report = export_onnx(config, checkpoint, args.out, sketches,
                             args.tolerance, args.opset)
    except (ValueError, RuntimeError, FileNotFoundError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'{report.path}: {report.spec.description}; onnxruntime vs '
          f'PyTorch max abs difference {report.max_abs_diff:.2e} on '
          f'{report.checked}')
    return 0


__all__ = [
    'export_onnx', 'export_command', 'check_onnx', 'config_test_sketches',
    'ExportReport'
]
