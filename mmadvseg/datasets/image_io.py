# Copyright (c) mmadvseg contributors. All rights reserved.
"""Reading photos: the package's one image decoder.

:func:`read_image` (a file) and :func:`decode_image` (bytes) turn any image
OpenCV reads into a 3-channel BGR uint8 array, the input of every sketch
method and converter. What a camera, a scanner or a web page hands over is
made uniform: gray images get three channels, transparency is composited
over white paper, 16-bit and float images are scaled to 8 bits. A file that
cannot be used (missing, empty, corrupt, a truncated JPEG that OpenCV would
silently fill with grey, a JPEG whose data the decoder reports corrupt)
raises :class:`ImageReadError`, whose message names the file and the fix;
:func:`guarded_decode` applies the same checks to another decoder (mmagic's
loading). :func:`resize_photo` brings a photo to the dataset resolution.
"""
import contextlib
import os
import sys
import tempfile
import threading
from typing import Callable, Iterator, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

#: Modes of :func:`resize_photo`.
RESIZE_MODES = ('stretch', 'crop', 'none')


class ImageReadError(ValueError):
    """A source image that cannot be used; the message names file and fix."""


def is_truncated_jpeg(data: bytes) -> bool:
    """Whether ``data`` is a JPEG whose image data has no end-of-image marker.

    OpenCV decodes such files without error (the missing part grey). The
    header segments are skipped by their lengths (an EXIF thumbnail has an
    end marker of its own); data after the marker (motion photos, vendor
    trailers) is fine.

    Args:
        data (bytes): File content.

    Returns:
        bool: True for a JPEG cut short; False for a complete JPEG and for
        anything that is not a JPEG.
    """
    if data[:2] != b'\xff\xd8':
        return False
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:  # not a marker: leave it to the decoder
            return False
        if data[pos + 1] == 0xFF:  # fill byte
            pos += 1
        elif data[pos + 1] == 0xDA:  # start of the image data
            return b'\xff\xd9' not in data[pos:]
        else:
            pos += 2 + int.from_bytes(data[pos + 2:pos + 4], 'big')
    return True


#: What libjpeg prints about damaged data, which it decodes anyway (the
#: rest of the image grey or garbled).
JPEG_DAMAGE = ('Corrupt JPEG data', 'Premature end of JPEG file')
_CAPTURE_LOCK = threading.Lock()


@contextlib.contextmanager
def decoder_messages(prefixes: Sequence[str] = JPEG_DAMAGE
                     ) -> Iterator[List[str]]:
    """Collect what C decoders print to the process's stderr in the block.

    libjpeg reports damaged data only there (OpenCV and Pillow decode on).
    Lines starting with one of ``prefixes`` are in the yielded list once
    the block has ended; other output is written back to stderr. Blocks of
    several threads run one at a time.

    Args:
        prefixes (Sequence[str]): Starts of the lines to collect. Defaults
            to :data:`JPEG_DAMAGE`.

    Yields:
        list[str]: The collected lines.
    """
    lines: List[str] = []
    with _CAPTURE_LOCK, tempfile.TemporaryFile() as capture:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            other = []
            for line in capture.read().decode(errors='replace').splitlines():
                (lines if line.startswith(tuple(prefixes)) else
                 other).append(line.strip())
            if other:
                os.write(2, ('\n'.join(other) + '\n').encode())


def guarded_decode(decode: Callable[[], Optional[np.ndarray]],
                   path: str) -> np.ndarray:
    """Run a decoder and refuse what it could not decode or reported
    damaged (libjpeg's warnings, see :func:`decoder_messages`).

    Args:
        decode (Callable): Returns the decoded array, or None (OpenCV's way
            of failing), e.g. mmagic's ``LoadImageFromFile._load_image``.
        path (str): Name used in error messages.

    Returns:
        np.ndarray: What ``decode`` returned.

    Raises:
        ImageReadError: Undecodable or damaged data.
    """
    try:
        with decoder_messages() as damage:
            img = decode()
    except cv2.error:
        img = None
    if damage:
        raise ImageReadError(f'{path}: damaged JPEG ({damage[0]}), which '
                             'decodes with grey or garbled parts; '
                             're-download or delete the file')
    if img is None or img.size == 0:
        raise ImageReadError(f'{path}: cannot decode (empty, corrupt, '
                             'truncated or not an image); re-download or '
                             'delete the file')
    return img


def checked_decode(data: bytes,
                   path: str = '<bytes>',
                   flags: int = cv2.IMREAD_UNCHANGED) -> np.ndarray:
    """Decode image bytes with OpenCV, refusing data that would decode to
    a garbage image.

    Args:
        data (bytes): Encoded image.
        path (str): Name used in error messages.
        flags (int): ``cv2.imdecode`` flags. Defaults to
            ``cv2.IMREAD_UNCHANGED``.

    Returns:
        np.ndarray: The decoded array.

    Raises:
        ImageReadError: Empty, truncated, undecodable or (JPEG) damaged
            data.
    """
    if not data:
        raise ImageReadError(f'{path}: empty file; delete or replace it')
    if is_truncated_jpeg(data):
        raise ImageReadError(f'{path}: truncated JPEG (no end-of-image '
                             'marker); re-download or delete the file')
    return guarded_decode(
        lambda: cv2.imdecode(np.frombuffer(data, np.uint8), flags), path)


def decode_image(data: bytes, path: str = '<bytes>') -> np.ndarray:
    """Decode image bytes into a 3-channel BGR uint8 array.

    Gray images are replicated to three channels, an alpha channel is
    composited over white, 16-bit and float images are scaled to 8 bits.

    Args:
        data (bytes): Encoded image.
        path (str): Name used in error messages.

    Returns:
        np.ndarray: ``HxWx3`` uint8 BGR image.

    Raises:
        ImageReadError: Empty, truncated, undecodable or corrupt data (see
            :func:`checked_decode`), or an unsupported number of channels.
    """
    return to_bgr_uint8(checked_decode(data, path), path)


def header_size(source: Union[str, os.PathLike, bytes],
                formats: Optional[Sequence[str]] = None
                ) -> Optional[Tuple[int, int]]:
    """Width and height an image file's header claims, read by PIL's format
    plugins without decoding the pixels and without PIL's decompression
    bomb check (which refuses a large image without saying how large).

    Args:
        source (str | os.PathLike | bytes): The file, or its content.
        formats (Sequence[str], optional): PIL format names (``'PNG'``,
            ``'JPEG'``, ...) whose plugins may read the header; default
            all. Restrict it when the format is already known, so that no
            other plugin reads a size from a header its own plugin refuses.

    Returns:
        tuple[int, int] | None: ``(width, height)``; None when no PIL
        plugin (of ``formats``) reads the header.
    """
    import io
    import struct
    import warnings

    from PIL import Image
    Image.init()
    with contextlib.ExitStack() as stack:
        f = io.BytesIO(source) if isinstance(source, bytes) else \
            stack.enter_context(open(source, 'rb'))
        prefix = f.read(16)
        for fmt in Image.ID:
            if formats is not None and fmt not in formats:
                continue
            factory, accept = Image.OPEN[fmt]
            if accept and not accept(prefix):
                continue
            f.seek(0)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    return tuple(factory(f, '').size)
            except (SyntaxError, IndexError, TypeError, ValueError, OSError,
                    struct.error):  # what PIL's Image.open skips over
                continue
    return None


def to_bgr_uint8(img: np.ndarray, path: str = '<array>') -> np.ndarray:
    """Bring a decoded image to 3-channel BGR uint8, as :func:`decode_image`
    does (also for arrays that come from elsewhere).

    Args:
        img (np.ndarray): ``HxW``, ``HxWx1`` (gray), ``HxWx2`` (gray +
            alpha), ``HxWx3`` (BGR) or ``HxWx4`` (BGRA) array; uint8,
            uint16, or float in [0, 1].
        path (str): Name used in error messages.

    Returns:
        np.ndarray: ``HxWx3`` uint8 BGR image.

    Raises:
        ImageReadError: An unsupported number of channels.
    """
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = np.clip(img.astype(np.float32) * 255.0, 0, 255).astype(np.uint8)
    if img.ndim == 2:
        img = img[..., None]
    channels = img.shape[2] if img.ndim == 3 else 0
    if channels in (2, 4):  # gray + alpha or BGRA: composite over white
        alpha = img[..., -1:].astype(np.float32) / 255.0
        color = img[..., :-1].astype(np.float32)
        img = np.rint(color * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
        channels -= 1
    if channels == 1:
        img = np.repeat(img, 3, axis=2)
    elif channels != 3:
        raise ImageReadError(f'{path}: unsupported image of shape '
                             f'{img.shape}; convert it to RGB first')
    return np.ascontiguousarray(img)


#: EXIF orientation tag -> the numpy steps that turn the stored pixels
#: upright (as ``PIL.ImageOps.exif_transpose``): ``t`` transposes, ``h``
#: and ``v`` flip horizontally and vertically.
_EXIF_STEPS = {2: 'h', 3: 'hv', 4: 'v', 5: 't', 6: 'th', 7: 'thv', 8: 'tv'}


def orient_image(img: np.ndarray, data: bytes) -> np.ndarray:
    """Turn a decoded image upright as the EXIF orientation tag of its file
    says (what OpenCV's ``IMREAD_COLOR``, and so mmagic's loading, does;
    :func:`decode_image` keeps the pixels as stored).

    Args:
        img (np.ndarray): ``HxW[xC]`` image decoded from ``data``.
        data (bytes): The encoded file (JPEG, PNG, TIFF, WebP).

    Returns:
        np.ndarray: The upright image (``img`` itself without a tag).
    """
    import io

    from PIL import Image
    try:
        with Image.open(io.BytesIO(data)) as pil:
            orientation = pil.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001  (no readable EXIF: as stored)
        return img
    for step in _EXIF_STEPS.get(orientation, ''):
        if step == 't':
            img = img.swapaxes(0, 1)
        else:
            img = img[:, ::-1] if step == 'h' else img[::-1]
    return np.ascontiguousarray(img)


def read_image(path: str, upright: bool = False) -> np.ndarray:
    """Read an image file into a 3-channel BGR uint8 array.

    EXIF orientation is ignored unless ``upright`` (pixels are used as
    stored, like COCO's annotations). See :func:`decode_image` for the
    conversions.

    Args:
        path (str): Image path.
        upright (bool): Apply the EXIF orientation (:func:`orient_image`),
            as mmagic's loading does. Defaults to False.

    Returns:
        np.ndarray: ``HxWx3`` uint8 BGR image.

    Raises:
        ImageReadError: The file is missing, unreadable or not a usable
            image.
    """
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        raise ImageReadError(f'{path}: file not found; check the image '
                             'folder argument') from None
    except OSError as err:
        raise ImageReadError(f'{path}: cannot read ({err.strerror}); check '
                             'its permissions') from None
    img = decode_image(data, path)
    return orient_image(img, data) if upright else img


def resize_photo(img: np.ndarray, size: Optional[int],
                 mode: str = 'stretch') -> np.ndarray:
    """Bring a photo to the dataset resolution.

    Args:
        img (np.ndarray): ``HxWx3`` uint8 image.
        size (int, optional): Side of the square output; None keeps the
            input size.
        mode (str): ``'stretch'`` (resize to ``size x size`` ignoring the
            aspect ratio, as the AdvSegLoss data), ``'crop'`` (centre square
            crop, then resize) or ``'none'`` (keep the size). Defaults to
            ``'stretch'``.

    Returns:
        np.ndarray: Resized image (``img`` itself when nothing changes).
    """
    if mode not in RESIZE_MODES:
        raise ValueError(f'resize mode must be one of {RESIZE_MODES}, got '
                         f'{mode!r}')
    if size is None or mode == 'none':
        return img
    if mode == 'crop':
        height, width = img.shape[:2]
        side = min(height, width)
        top, left = (height - side) // 2, (width - side) // 2
        img = img[top:top + side, left:left + side]
    shrink = img.shape[0] * img.shape[1] > size * size
    return cv2.resize(
        img, (size, size),
        interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)


__all__ = [
    'RESIZE_MODES', 'ImageReadError', 'decode_image', 'read_image',
    'resize_photo', 'is_truncated_jpeg', 'to_bgr_uint8', 'orient_image',
    'checked_decode', 'guarded_decode', 'decoder_messages', 'JPEG_DAMAGE',
    'header_size'
]
