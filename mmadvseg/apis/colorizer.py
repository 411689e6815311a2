# Copyright (c) mmadvseg contributors. All rights reserved.
"""The colorizer: a trained sketch -> photo generator applied to plain
sketches of any size, in the shape of OpenMMLab's inferencers (mmagic's
``MMagicInferencer``, mmdet's ``DetInferencer``).

>>> from mmadvseg.apis import Colorizer
>>> colorizer = Colorizer('work_dirs/demo/runs_distinct/pix2pix_both_seed0')
>>> result = colorizer('sketch.png', seed=0)
>>> photo = result['predictions'][0]               # HxWx3 uint8 BGR
>>> colorizer('sketches/', out_dir='out', grid=True)  # out/NAME.png ...

A model is a training work dir (its saved config and last checkpoint), a
config with a checkpoint, or an ONNX file exported by
``tools/deployment/export_onnx.py`` (then onnxruntime runs it and neither
torch nor OpenMMLab is imported).

Each image is translated at the model's working scale (the longer side of
its config's test ``Resize``, :func:`~.model_files.working_size`; ``size``
sets another, ``native`` keeps the image's own) and the colorization is
resized back to exactly the input's size: a generator trained at 64 or 256
pixels draws other (paler, haloed) colours at other scales. Each image is
translated as if alone (see :mod:`.inference_generator`): padded by
reflection to the generator's size multiple, translated, cropped back.
Images of the same padded size are batched.
Pix2Pix keeps dropout on at test time (as mmagic and the original pix2pix
do), so its colours are random by design: the same ``seed`` gives the same
colours.
"""
import secrets
from typing import (
    Any,
    Callable,
    Dict,
    Hashable,
    Iterable,
    Iterator,
    List,
    Optional,
    Tuple,
)

import numpy as np

from ..datasets.image_io import ImageReadError, to_bgr_uint8
from ..datasets.sketch.methods import SKETCH_OPTIONS
from ..utils.fileio import remove_stale_partials
from .inputs import list_inputs, load_image, resize_longer, resize_to
from .model_files import resolve_model, working_size
from .outputs import GRID_SUFFIX, SKETCH_SUFFIX, plan_outputs, write_outputs
from .photo_sketch import describe_sketcher, photo_sketcher
from .spec import GeneratorSpec

#: ``(sketch, colour) -> grid image``.
GridMaker = Callable[[np.ndarray, np.ndarray], np.ndarray]


def resolve_seed(seed: Optional[int]) -> int:
    """``seed``, or a fresh random one when it is None."""
    return secrets.randbelow(2**31) if seed is None else int(seed)


class Colorizer:
    """A trained generator that colorizes sketches (or photos, sketched
    first), in memory or into an output folder.

    Args:
        model (str): A training work dir, a config (with ``checkpoint``) or
            an exported ``.onnx`` file.
        checkpoint (str, optional): Checkpoint of a config.
        device (str): ``'cpu'``, ``'cuda'``, ``'cuda:1'`` ... Defaults to
            ``'cpu'``.
        precision (str): ``'fp32'`` or ``'bf16'`` (PyTorch models only;
            see :class:`~.torch_backend.TorchBackend`). Defaults to
            ``'fp32'``.

    Raises:
        ModelFileError: The model cannot be used (before any image is
            read).
    """

    def __init__(self,
                 model: str,
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 precision: str = 'fp32') -> None:
        self.config, self.checkpoint = resolve_model(model, checkpoint)
        self.device = device
        self.cfg: Any = None
        if self.config:
            from .torch_backend import TorchBackend, load_config
            self.backend: Any = TorchBackend(self.config, self.checkpoint,
                                             device, precision)
            self.cfg = load_config(self.config)
        elif precision != 'fp32':
            raise ValueError(f'precision {precision!r} is for PyTorch '
                             'models; an ONNX model runs in fp32')
        else:
            from .onnx_backend import OnnxBackend
            self.backend = OnnxBackend(self.checkpoint, device)
        self.spec: GeneratorSpec = self.backend.spec
        #: The longer side the model works at (None: not recorded).
        self.work_size: Optional[int] = working_size(self.cfg) \
            if self.cfg is not None else self.spec.work_size
        self._grid: Optional[Tuple[GridMaker, str]] = None

    @property
    def stochastic(self) -> bool:
        """Whether the colours depend on the seed (test-time dropout)."""
        return self.spec.stochastic

    def run(self,
            items: Iterable[Tuple[Hashable, np.ndarray]],
            seed: int,
            batch_size: int = 1) -> Iterator[Tuple[Hashable, np.ndarray]]:
        """Colorize a stream of images, batching those of the same padded
        size; results come as their batches complete (not in order).

        Args:
            items (Iterable[tuple]): ``(key, HxWx3 uint8 BGR sketch)``.
            seed (int): Dropout seed (see the module docstring).
            batch_size (int): Images per forward pass. Defaults to 1.

        Yields:
            tuple: ``(key, HxWx3 uint8 BGR colorization)``, same size as
            the sketch.
        """
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        buckets: Dict[Tuple[int, int], List[Tuple[Hashable,
                                                  np.ndarray]]] = {}
        for key, img in items:
            shape = self.spec.padded_shape(*img.shape[:2])
            bucket = buckets.setdefault(shape, [])
            bucket.append((key, img))
            if len(bucket) == batch_size:
                yield from self._run_batch(buckets.pop(shape), seed)
        for bucket in buckets.values():
            yield from self._run_batch(bucket, seed)

    def _run_batch(self, bucket: List[Tuple[Hashable, np.ndarray]],
                   seed: int) -> Iterator[Tuple[Hashable, np.ndarray]]:
        keys, images = zip(*bucket)
        outputs = self.backend(self.spec.to_input(images), seed)
        sizes = [img.shape[:2] for img in images]
        yield from zip(keys, self.spec.to_images(outputs, sizes))

    def grid_maker(self) -> Tuple[GridMaker, str]:
        """The grid view of this model (built once; see
        :func:`~mmadvseg.visualization.grid_maker`) and a note."""
        if self._grid is None:
            from ..visualization import grid_maker
            self._grid = grid_maker(self.cfg, self.device, self.work_size)
        return self._grid

    def scale(self, size: Optional[int] = None,
              native: bool = False) -> Tuple[Optional[int], str]:
        """The longer side inputs are translated at (None: their own) and
        a note saying so."""
        back = 'resized back to each input\'s size'
        if size is not None:
            return size, f'translated at {size} px (--size), {back}'
        if native:
            return None, ('translated at each input\'s own size (--native; '
                          f'the model works at {self.work_size or "?"} px)')
        if self.work_size is None:
            return None, ('the model records no working scale: translated '
                          'at each input\'s own size (--size N sets one)')
        return self.work_size, (
            f'translated at the model\'s working scale ({self.work_size} '
            f'px, from its config), {back} (--native: full size)')

    def __call__(self,
                 inputs: Any,
                 batch_size: int = 1,
                 out_dir: Optional[str] = None,
                 return_vis: bool = False,
                 return_preds: bool = True,
                 seed: Optional[int] = None,
                 size: Optional[int] = None,
                 native: bool = False,
                 overwrite: bool = False,
                 grid: bool = False,
                 from_photo: bool = False,
                 dataset: Optional[str] = None,
                 sketch: Optional[str] = None,
                 show_progress: bool = True,
                 **sketch_options: Any) -> Dict[str, Any]:
        """Colorize images, and write them into ``out_dir`` when given.

        Args:
            inputs (ImageSource | list): An image file, a folder (its
                images, recursively, sorted), a numpy array (OpenCV channel
                order) or a PIL image, or a list of them.
            batch_size (int): Images per forward pass (results do not
                depend on it). Defaults to 1.
            out_dir (str, optional): Write ``NAME.png`` per input here (see
                :mod:`.outputs`): then an unreadable input is named in
                ``failed`` and skipped, the others are written; without it,
                it raises.
            return_vis (bool): Return the grid views. Defaults to False.
            return_preds (bool): Return the colorizations (False saves
                memory when they are written). Defaults to True.
            seed (int, optional): Dropout seed; None draws a random one
                (returned as ``seed``).
            size (int, optional): Translate each input with its longer
                side resized to ``size`` (aspect ratio kept); None: the
                model's working scale (:attr:`work_size`). The outputs
                always have the input's size.
            native (bool): Translate each input at its own size. Defaults
                to False.
            overwrite (bool): Replace outputs of an earlier run in
                ``out_dir`` (else they are refused before anything is
                written). Defaults to False.
            grid (bool): Draw the grid view (sketch | colour | segmentation
                | thing/stuff when the config's segmenter weights are
                available) and write it as ``NAME_grid.png``. Defaults to
                False.
            from_photo (bool): The inputs are photos: sketch them first as
                :func:`~.photo_sketch.photo_sketcher` chooses (at the
                working scale); the sketches are written as
                ``NAME_sketch.png``. Defaults to False.
            dataset (str, optional): With ``from_photo``: the converted
                dataset whose ``conversion.json`` gives the sketch.
            sketch (str, optional): With ``from_photo``: a sketch method.
            show_progress (bool): Show a progress bar. Defaults to True.
            **sketch_options: Options of ``sketch`` (``xdog_sigma=0.8``,
                ``canny_low=30`` ..., see
                :func:`~mmadvseg.datasets.sketch.sketcher_from_options`).

        Returns:
            dict: ``predictions`` and ``visualization``: per input, its
            ``HxWx3`` uint8 BGR colorization and grid view (None when not
            returned, or for a failed input); ``written``: the written
            colorizations; ``failed``: ``(input, reason)`` of the skipped
            inputs; ``seed``: the dropout seed used; ``notes``: lines on
            the seed, the photo sketches and the grids.

        Raises:
            ImageReadError: An unreadable input (without ``out_dir``).
            ValueError: Bad arguments, no image in the inputs, or clashing
                output names (before anything is written).
        """
        unknown = sorted(set(sketch_options) - set(SKETCH_OPTIONS))
        if unknown:
            raise TypeError(f'unexpected keyword arguments {unknown}')
        if size is not None and size < 8:
            raise ValueError(f'--size must be at least 8, got {size}')
        if batch_size < 1:
            raise ValueError(f'--batch-size must be >= 1, got {batch_size}')
        if (sketch is not None or dataset) and not from_photo:
            raise ValueError('--sketch and --dataset need --from-photo')
        if native and size is not None:
            raise ValueError('--native and --size exclude each other')
        items = list_inputs(inputs, exclude=out_dir)
        if not items and (not isinstance(inputs, (list, tuple)) or inputs):
            names = inputs if isinstance(inputs, (list, tuple)) else [inputs]
            raise ValueError(f'no images found in {" ".join(map(str, names))}')
        extras = [SKETCH_SUFFIX] * from_photo + [GRID_SUFFIX] * grid
        outputs = plan_outputs([item[1:] for item in items], out_dir,
                               extras, overwrite) if out_dir else None
        if out_dir:  # what killed runs left; a running one keeps its own
            remove_stale_partials(out_dir, recursive=True)
        result: Dict[str, Any] = dict(
            predictions=[None] * len(items), visualization=[None] * len(items),
            written=[], failed=[], seed=resolve_seed(seed), notes=[])
        if self.stochastic:
            how = 'given' if seed is not None else \
                f'random; --seed {result["seed"]} repeats this run'
            result['notes'].append(
                f'test-time dropout seed {result["seed"]} ({how})')
        if self.backend.note:  # e.g. a precision that is slow here
            result['notes'].append(self.backend.note)
        scale, note = self.scale(size, native)
        result['notes'].append(note)
        sketcher = make_grid = None
        if from_photo:
            sketcher, source = photo_sketcher(
                self.cfg, dataset, sketch,
                **{'device': self.device, **sketch_options})
            result['notes'].append(f'photos sketched with {source}: '
                                   f'{describe_sketcher(sketcher)}')
        if return_vis or (grid and out_dir):
            make_grid, note = self.grid_maker()
            result['notes'].append(note)
        from tqdm import tqdm
        with tqdm(total=len(items), desc='colorize', unit='img',
                  disable=not show_progress, dynamic_ncols=True) as bar:
            for index, drawn, colour, failure in self._stream(
                    items, result['seed'], batch_size, scale, sketcher,
                    skip_bad=outputs is not None):
                bar.update(1)
                vis = make_grid(drawn, colour) if make_grid and \
                    failure is None else None
                if failure is None and outputs is not None:
                    failure = _write(outputs[index], colour,
                                     drawn if from_photo else None,
                                     vis if grid else None)
                if failure is not None:
                    _, path, name = items[index]
                    result['failed'].append((path or name, failure))
                    continue
                if outputs is not None:
                    result['written'].append(outputs[index])
                if return_preds:
                    result['predictions'][index] = colour
                if return_vis:
                    result['visualization'][index] = vis
        return result

    def _stream(self, items: List[Tuple[Any, Optional[str], str]],
                seed: int, batch_size: int, scale: Optional[int],
                sketcher: Optional[Callable[[np.ndarray], np.ndarray]],
                skip_bad: bool) -> Iterator[Tuple[int, Any, Any, Any]]:
        """Load (resize to ``scale``, sketch) and colorize ``items`` (see
        :func:`~.inputs.list_inputs`).

        Yields:
            tuple: ``(index, sketch, colour, None)`` per colorized input, as
            its batch completes, both of the input's size; ``(index, None,
            None, reason)`` per input that cannot be read or sketched when
            ``skip_bad`` (else that raises).
        """
        failed: List[Tuple[int, Any, Any, str]] = []
        sketches: Dict[int, np.ndarray] = {}  # at the input's size

        def load() -> Iterator[Tuple[int, np.ndarray]]:
            for index, (source, path, name) in enumerate(items):
                try:
                    img = load_image(source, name)
                    work = resize_longer(img, scale)
                    if sketcher is not None:
                        work = to_bgr_uint8(sketcher(work))
                        img = resize_to(work, img.shape[:2])
                except Exception as err:  # noqa: BLE001  (one input only)
                    if not skip_bad:
                        raise
                    reason = str(err) if isinstance(err, ImageReadError) \
                        else (f'{path}: {type(err).__name__}: {err}; check '
                              'or remove the file')
                    failed.append((index, None, None, reason))
                    continue
                sketches[index] = img
                yield index, work

        for index, colour in self.run(load(), seed, batch_size):
            yield from failed
            failed.clear()
            img = sketches.pop(index)
            yield index, img, resize_to(colour, img.shape[:2]), None
        yield from failed


def _write(out: str, colour: np.ndarray, sketch: Optional[np.ndarray],
           grid: Optional[np.ndarray]) -> Optional[str]:
    """Write an output (:func:`~.outputs.write_outputs`); None, or why it
    cannot be written."""
    try:
        write_outputs(out, colour, sketch, grid)
    except OSError as err:
        return (f'{out}: cannot write ({err.strerror or err}); check the '
                '--out folder and the free space')
    return None

__all__ = ['Colorizer', 'resolve_seed']
