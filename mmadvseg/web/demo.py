# Copyright (c) mmadvseg contributors. All rights reserved.
"""The web demo's model side: a sketch or a photo in (encoded bytes), the
colourization and what the model's segmenter makes of it out.

Built on :class:`~mmadvseg.apis.Colorizer`: every input is brought to the
model's working size (the longer side of its test pipeline's resize), a
photo is first turned into a sketch as ``tools/colorize.py --from-photo``
does (:func:`~mmadvseg.apis.photo_sketcher`), and
the sketch is colorized with one fixed seed, so the same sketch always
gives the same colours (the page shows the working-size images:
``colorizer(resize_longer(sketch, size), seed=seed)['predictions'][0]``).
Every problem with an input is a :class:`DemoInputError` whose message is
meant for the page.

Uploads are bounded before anything is decoded: only PNG, JPEG, BMP, TIFF
and WebP files are accepted (:data:`UPLOAD_FORMATS`, told apart by their
first bytes, as OpenCV's decoder picks its own), because for them the
header's size is read by that format's own PIL plugin
(:func:`~mmadvseg.datasets.image_io.header_size`) and checked against
:data:`MAX_PIXELS`; every other file is refused, also those OpenCV would
decode (Radiance HDR, PFM, PNM, Sun raster, JPEG 2000, ...), whose size
nobody checks first. At most :data:`MAX_DECODES` uploads are decoded at
once (the rest wait up to ``decode_timeout`` seconds, then are refused
with :class:`DemoBusyError`), so parallel uploads cannot multiply the
memory a decode takes.
"""
import os
import os.path as osp
import threading
from typing import Any, Dict, List, Optional, Tuple

import cv2
import numpy as np

from ..apis import (
    Colorizer,
    config_test_sketches,
    describe_sketcher,
    load_image,
    photo_sketcher,
    resize_longer,
)
from ..datasets.image_io import (
    ImageReadError,
    decode_image,
    header_size,
    orient_image,
)
from ..visualization import (
    colorize_labels,
    segmentation_view,
    thing_stuff_map,
)

#: Longer side of the inputs when the model's config does not say (ONNX).
DEFAULT_SIZE = 256
#: Uploads with more pixels than this are refused before decoding.
MAX_PIXELS = 40_000_000
#: The accepted upload formats: name -> (PIL format, first bytes of its
#: files). A format is here only when OpenCV's decoder for it is the one
#: its first bytes choose and PIL reads its header's size without decoding.
UPLOAD_FORMATS = {
    'PNG': ('PNG', (b'\x89PNG\r\n\x1a\n', )),
    'JPEG': ('JPEG', (b'\xff\xd8\xff', )),
    'BMP': ('BMP', (b'BM', )),
    'TIFF': ('TIFF', (b'II*\x00', b'MM\x00*')),
    'WebP': ('WEBP', ()),  # RIFF....WEBP, see upload_format
}
#: Uploads decoded at the same time (each can take a few hundred MB).
MAX_DECODES = 2
#: Seconds an upload waits for a decode slot before it is refused.
DECODE_TIMEOUT = 10.0


class DemoInputError(ValueError):
    """An input the demo cannot use; the message is shown on the page."""


class DemoBusyError(RuntimeError):
    """No decode slot came free in time; the message is shown on the
    page."""


def short_paths(text: str) -> str:
    """``text`` with the paths below the working directory made
    relative."""
    return text.replace(osp.join(os.getcwd(), ''), '')


def upload_format(data: bytes) -> Optional[str]:
    """The accepted format (a key of :data:`UPLOAD_FORMATS`) an upload's
    first bytes name, or None for any other file."""
    if data[:4] == b'RIFF' and data[8:12] == b'WEBP':
        return 'WebP'
    for name, (_, magics) in UPLOAD_FORMATS.items():
        if any(data.startswith(magic) for magic in magics):
            return name
    return None


def upload_size(data: bytes) -> Optional[Tuple[int, int]]:
    """Width and height from the header of an upload in an accepted format,
    read by that format's PIL plugin only; None for another format or a
    header the plugin cannot read. Nothing is decoded, and the size is the
    header's however large
    (:func:`~mmadvseg.datasets.image_io.header_size`).

    Args:
        data (bytes): The file's content.

    Returns:
        tuple[int, int] | None: ``(width, height)`` or None.
    """
    fmt = upload_format(data)
    if fmt is None:
        return None
    try:
        return header_size(data, formats=(UPLOAD_FORMATS[fmt][0], ))
    except Exception:  # noqa: BLE001  (an unreadable header: refused)
        return None


def to_png(img: np.ndarray) -> bytes:
    """Encode a BGR uint8 image as PNG."""
    ok, buf = cv2.imencode('.png', img)
    if not ok:
        raise RuntimeError('PNG encoding failed')
    return buf.tobytes()


def _hex(bgr: Any) -> str:
    return '#{:02x}{:02x}{:02x}'.format(*(int(c) for c in bgr[::-1]))


class WebDemo:
    """A colorizer with its segmenter, photo sketcher and examples, for the
    web page.

    Args:
        model (str): A training work dir, a config (with ``checkpoint``)
            or an exported ``.onnx`` file (see :class:`Colorizer`).
        checkpoint (str, optional): Checkpoint of a config.
        device (str): ``'cpu'``, ``'cuda'``, ... Defaults to ``'cpu'``.
        seed (int): The dropout seed of every request. Defaults to 0.
        size (int, optional): Longer side every input is resized to;
            default the model's working scale
            (:attr:`Colorizer.work_size`), else :data:`DEFAULT_SIZE`.
        num_examples (int): Example sketches offered. Defaults to 4.
        max_decodes (int): Uploads decoded at the same time. Defaults to
            :data:`MAX_DECODES`.
        decode_timeout (float): Seconds an upload waits for a decode slot
            before :class:`DemoBusyError`. Defaults to
            :data:`DECODE_TIMEOUT`.

    Raises:
        ModelFileError: The model cannot be used.
    """

    def __init__(self,
                 model: str,
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 seed: int = 0,
                 size: Optional[int] = None,
                 num_examples: int = 4,
                 max_decodes: int = MAX_DECODES,
                 decode_timeout: float = DECODE_TIMEOUT) -> None:
        self.colorizer = Colorizer(model, checkpoint, device)
        self.name = short_paths(' '.join(filter(None, [model, checkpoint])))
        cfg = self.colorizer.cfg
        self.seed = seed
        self.size = size or self.colorizer.work_size or DEFAULT_SIZE
        self.view, seg_note = segmentation_view(cfg, device)
        self.sketcher, source = photo_sketcher(cfg)
        sketch_note = (f'photos are sketched with {short_paths(source)}: '
                       f'{describe_sketcher(self.sketcher)}')
        self.examples = [
            resize_longer(img, self.size)
            for img in config_test_sketches(cfg, num_examples)
        ]
        self.notes = [
            f'segmentation by the model\'s segmenter ({seg_note})'
            if self.view is not None else f'no segmentation: {seg_note}',
            sketch_note
        ]
        self._lock = threading.Lock()
        self.decode_timeout = decode_timeout
        self._decode_slots = threading.BoundedSemaphore(max_decodes)

    def info(self) -> Dict[str, Any]:
        """What the page shows about the model."""
        randomness = (f'test-time dropout with the fixed seed {self.seed}: '
                      'the same sketch always gives the same colours'
                      if self.colorizer.stochastic else
                      'no test-time randomness')
        return dict(model=self.name, generator=self.colorizer.spec.description,
                    seed=self.seed, size=self.size, randomness=randomness,
                    notes=self.notes, examples=len(self.examples),
                    segmentation=self.view is not None)

    def decode(self, data: bytes, name: str) -> Tuple[np.ndarray, List[str]]:
        """An upload as an upright BGR image at the working size.

        The header is checked first (format and size, nothing decoded);
        the decoding and resizing then wait for one of the decode slots,
        so only the small resized image outlives the slot.

        Args:
            data (bytes): The file's content.
            name (str): Its name, for the messages.

        Returns:
            tuple: The image and notes (e.g. that it was resized).

        Raises:
            DemoInputError: Not an accepted format, an unreadable header,
                too many pixels, or undecodable data.
            DemoBusyError: No decode slot within ``decode_timeout``.
        """
        unreadable = DemoInputError(
            f'{name}: not an image this demo can read; upload a '
            f'{", ".join(list(UPLOAD_FORMATS)[:-1])} or '
            f'{list(UPLOAD_FORMATS)[-1]} file')
        size = upload_size(data)
        if size is None:
            raise unreadable
        if size[0] * size[1] > MAX_PIXELS:
            raise DemoInputError(
                f'{name}: too large ({size[0]} x {size[1]} pixels; at most '
                f'{MAX_PIXELS // 1_000_000} megapixels): upload a smaller '
                'image')
        if not self._decode_slots.acquire(timeout=self.decode_timeout):
            raise DemoBusyError(
                f'{name}: the server is busy decoding other uploads; try '
                'again in a moment')
        try:
            try:
                img = orient_image(decode_image(data, name), data)
            except ImageReadError:
                raise unreadable from None
            notes = []
            height, width = img.shape[:2]
            if max(height, width) != self.size:
                img = resize_longer(img, self.size)
                notes.append(f'resized from {width} x {height} to '
                             f'{img.shape[1]} x {img.shape[0]} pixels (the '
                             f'model works at {self.size} pixels)')
        finally:
            self._decode_slots.release()
        return img, notes

    def __call__(self, data: bytes, photo: bool = False,
                 name: str = 'the upload') -> Dict[str, Any]:
        """Colorize an uploaded sketch or photo.

        Args:
            data (bytes): An encoded image (a drawing from the canvas, an
                uploaded sketch or photo).
            photo (bool): It is a photo: sketch it first.
            name (str): Its name, for the messages.

        Returns:
            dict: ``images`` (``{sketch, colour[, segmentation, things]}``
            as PNG bytes; ``sketch`` is what was colorized), ``legend``
            (``[(name, '#rrggbb')]``) and ``notes``.

        Raises:
            DemoInputError: A bad input.
            DemoBusyError: No decode slot came free in time.
        """
        img, notes = self.decode(data, name)
        with self._lock:  # one model call at a time
            if photo:
                img = load_image(self.sketcher(img))
                notes.append('the photo was turned into this sketch first')
            [colour] = self.colorizer(img, seed=self.seed, size=self.size,
                                      show_progress=False)['predictions']
            images = dict(sketch=img, colour=colour)
            legend: List[Tuple[str, str]] = []
            if self.view is not None:
                labels, things = self.view(colour)
                images['segmentation'] = colorize_labels(labels,
                                                         self.view.palette)
                images['things'] = thing_stuff_map(things)
                legend = [(name, _hex(bgr))
                          for name, bgr in self.view.legend(labels)]
        return dict(images={k: to_png(v) for k, v in images.items()},
                    legend=legend, notes=notes)


__all__ = [
    'WebDemo', 'DemoInputError', 'DemoBusyError', 'upload_format',
    'upload_size', 'to_png', 'short_paths',
    'DEFAULT_SIZE', 'MAX_PIXELS', 'MAX_DECODES', 'DECODE_TIMEOUT',
    'UPLOAD_FORMATS'
]
