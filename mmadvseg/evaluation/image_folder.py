# Copyright (c) mmadvseg contributors. All rights reserved.
"""FID and KID of two folders of images, the way pytorch-fid reads them.

The same files are picked (``sorted(path.glob('*.<ext>'))`` over pytorch-fid's
lower-case extension list, not recursive) and read the same way
(``PIL.Image.open(f).convert('RGB')`` then ``ToTensor``, i.e. RGB uint8 / 255),
so FID on two folders is comparable with ``python -m pytorch_fid``; only
16-bit gray images, which PIL's conversion clips to white, are scaled to 8
bits instead. :func:`folder_fid_kid` is what ``tools/analysis/fid.py`` runs;
it reads every image once before the Inception network is built, so a bad
file is named before any long work.
"""
import json
import os
import os.path as osp
import pathlib
import time
from functools import partial
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from ..utils.fileio import atomic_write, write_problem

IMAGE_EXTENSIONS = ('bmp', 'jpg', 'jpeg', 'pgm', 'png', 'ppm', 'tif', 'tiff',
                    'webp')
#: PIL modes of 16-bit gray images ('I' is how some versions open them).
HIGH_BIT_GRAY_MODES = ('I;16', 'I;16B', 'I;16L', 'I;16N', 'I')


def list_image_files(folder: str) -> List[pathlib.Path]:
    """Image files of a folder, selected and sorted as pytorch-fid does.

    Args:
        folder (str): Directory (not searched recursively).

    Returns:
        list[pathlib.Path]: Sorted image paths (at least one).

    Raises:
        NotADirectoryError: ``folder`` is not a directory.
        FileNotFoundError: It holds no image.
    """
    path = pathlib.Path(folder)
    if not path.is_dir():
        raise NotADirectoryError(f'{folder}: not a directory')
    files = sorted(file for ext in IMAGE_EXTENSIONS
                   for file in path.glob(f'*.{ext}'))
    if not files:
        raise FileNotFoundError(
            f'{folder}: no image ({", ".join(IMAGE_EXTENSIONS)}) found')
    return files


def load_image(path: os.PathLike) -> torch.Tensor:
    """Read an image as pytorch-fid does: (3, H, W) float32 RGB in [0, 1].

    Args:
        path (os.PathLike): Image file.

    Returns:
        torch.Tensor: The image.

    Raises:
        ValueError: The file cannot be read; the message names it.
    """
    try:
        with Image.open(path) as img:
            if img.mode in HIGH_BIT_GRAY_MODES:  # 16 bits: scaled, not clipped
                gray = np.clip(np.asarray(img, np.int64), 0, 65535) >> 8
                arr = np.repeat(gray.astype(np.uint8)[..., None], 3, axis=2)
            else:
                arr = np.array(img.convert('RGB'), dtype=np.uint8)
    except Image.DecompressionBombError:
        from ..datasets.image_io import header_size
        width, height = header_size(path)
        raise ValueError(
            f'{path}: {width} x {height} pixels, more than the '
            f'{2 * Image.MAX_IMAGE_PIXELS} PIL decodes (a damaged header or '
            'a decompression bomb); delete it or make it smaller') from None
    except (OSError, ValueError) as err:  # PIL's corrupt/truncated errors
        raise ValueError(f'{path}: cannot read the image ({err}); delete or '
                         'regenerate it') from err
    return torch.from_numpy(arr).permute(2, 0, 1).float().div(255)


def _read_error(path: os.PathLike) -> Optional[str]:
    """Why an image cannot be read, or None."""
    try:
        load_image(path)
    except ValueError as err:
        return str(err)
    return None


def check_image_folder(folder: str, nproc: int = 1) -> List[pathlib.Path]:
    """The images of a folder (:func:`list_image_files`), each read once to
    be sure they all can be, before any long work.

    Args:
        folder (str): Directory.
        nproc (int): Reading processes. Defaults to 1.

    Returns:
        list[pathlib.Path]: Sorted image paths (at least two).

    Raises:
        NotADirectoryError: ``folder`` is not a directory.
        FileNotFoundError: It holds no image.
        ValueError: Fewer than two images (a covariance needs two), or
            unreadable ones: the first named, the others counted.
    """
    from ..utils.parallel import run_parallel
    files = list_image_files(folder)
    if len(files) < 2:
        raise ValueError(f'{folder}: only one image ({files[0].name}); FID '
                         'and KID need at least 2 (thousands for a stable '
                         'FID)')
    errors = [e for e in run_parallel(_read_error, files, nproc=nproc,
                                      desc=f'checking {folder}',
                                      progress=False) if e]
    if errors:
        more = f' (and {len(errors) - 1} more unreadable images in ' \
            f'{folder})' if len(errors) > 1 else ''
        raise ValueError(errors[0] + more)
    return files


class ImageFileDataset(Dataset):
    """Images read with :func:`load_image`.

    Args:
        files (Sequence[os.PathLike]): Image paths.
    """

    def __init__(self, files: Sequence[os.PathLike]) -> None:
        self.files = list(files)

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, idx: int) -> torch.Tensor:
        return load_image(self.files[idx])


def _collate(batch: List[torch.Tensor]) -> List[torch.Tensor]:
    return batch


@torch.inference_mode()
def extract_features(model: torch.nn.Module,
                     images: Sequence[torch.Tensor],
                     device: torch.device) -> torch.Tensor:
    """Features of a list of (3, H, W) images, stacking equal sizes.

    Args:
        model (nn.Module): Feature extractor taking (N, 3, H, W) RGB [0, 1].
        images (Sequence[Tensor]): Images (sizes may differ).
        device (torch.device): Device to run on.

    Returns:
        Tensor: (len(images), D) features on the CPU, in input order.
    """
    groups: dict = {}
    for idx, img in enumerate(images):
        groups.setdefault(tuple(img.shape), []).append(idx)
    feats: List[Optional[torch.Tensor]] = [None] * len(images)
    for indices in groups.values():
        batch = torch.stack([images[i] for i in indices]).to(device)
        out = model(batch).float().cpu()
        for i, row in zip(indices, out):
            feats[i] = row
    return torch.stack(feats)  # type: ignore[arg-type]


def folder_features(folder: str,
                    model: torch.nn.Module,
                    batch_size: int = 50,
                    device: torch.device = torch.device('cpu'),
                    num_workers: int = 0,
                    progress: Optional[Callable] = None) -> np.ndarray:
    """Inception features of every image of a folder.

    Args:
        folder (str): Directory with the images.
        model (nn.Module): Feature extractor (e.g. ``FIDInceptionV3``).
        batch_size (int): Images per forward pass. Defaults to 50.
        device (torch.device): Device to run the model on.
        num_workers (int): DataLoader workers reading images. Defaults to 0.
        progress (callable, optional): Wraps the batch iterator, e.g.
            ``functools.partial(tqdm, desc=...)``.

    Returns:
        np.ndarray: (N, D) float32 features, in sorted file order.
    """
    files = list_image_files(folder)
    loader = DataLoader(
        ImageFileDataset(files),
        batch_size=min(batch_size, len(files)),
        shuffle=False,
        num_workers=num_workers,
        collate_fn=_collate)
    batches = progress(loader) if progress is not None else loader
    feats = [extract_features(model, batch, device) for batch in batches]
    return torch.cat(feats).numpy()


def default_num_workers() -> int:
    """Image-reading processes: ``min(4, CPUs - 1)``."""
    num_cpus = len(os.sched_getaffinity(0)) if hasattr(
        os, 'sched_getaffinity') else (os.cpu_count() or 1)
    return max(0, min(4, num_cpus - 1))


def folder_fid_kid(real_dir: str,
                   fake_dir: str,
                   inception: Optional[str] = None,
                   allow_download: bool = False,
                   batch_size: int = 50,
                   device: Optional[str] = None,
                   num_workers: Optional[int] = None,
                   kid_subsets: int = 100,
                   kid_subset_size: int = 1000,
                   kid_seed: int = 0,
                   json_file: Optional[str] = None,
                   progress: bool = True) -> Dict:
    """FID (pytorch-fid compatible) and KID between two folders of images.

    Args:
        real_dir (str): Folder of real images.
        fake_dir (str): Folder of generated images.
        inception (str, optional): FID Inception weight file. None looks in
            ``$TORCH_HOME/hub/checkpoints/``.
        allow_download (bool): Download the weights into the hub cache when
            they are missing. Defaults to False.
        batch_size (int): Images per Inception forward pass. Defaults to 50.
        device (str, optional): ``'cuda'``, ``'cuda:0'`` or ``'cpu'``.
            Defaults to cuda when available.
        num_workers (int, optional): Image-reading processes. Defaults to
            :func:`default_num_workers`.
        kid_subsets (int): KID subsets. Defaults to 100.
        kid_subset_size (int): Maximum KID subset size. Defaults to 1000.
        kid_seed (int): Seed of the KID subset sampler. Defaults to 0.
        json_file (str, optional): Also write the result there (atomically).
        progress (bool): Show tqdm progress bars (on stderr). Defaults to
            True.

    Returns:
        dict: ``fid``, ``kid``, ``kid_std``, ``num_real``, ``num_fake``,
        ``kid_subsets``, ``kid_subset_size`` (the size used), ``real_dir``,
        ``fake_dir``, ``inception`` (the weight file), ``device``,
        ``seconds`` and ``images_per_second``.

    Raises:
        ValueError: An option below 1, a folder with fewer than two images
            or an unreadable image (checked before the weights are read).
        NotADirectoryError, FileNotFoundError: A missing or empty folder.
    """
    from tqdm import tqdm

    from .functional import (
        frechet_distance_from_features,
        kernel_inception_distance,
    )
    from .inception import FIDInceptionV3
    for name, value in dict(batch_size=batch_size, kid_subsets=kid_subsets,
                            kid_subset_size=kid_subset_size).items():
        if value < 1:
            raise ValueError(f'{name}={value}: must be at least 1')
    if num_workers is None:
        num_workers = default_num_workers()
    elif num_workers < 0:
        raise ValueError(f'num_workers={num_workers}: must be at least 0')
    problem = json_file and write_problem(json_file)
    if problem:
        raise ValueError(f'{problem}: choose another JSON file')
    folders = dict(real=real_dir, fake=fake_dir)
    for folder in folders.values():  # fail before loading the model
        check_image_folder(folder, nproc=max(num_workers, 1))
    device = torch.device(device or (
        'cuda' if torch.cuda.is_available() else 'cpu'))
    inception_net = FIDInceptionV3(inception, allow_download=allow_download)
    model = inception_net.fused().to(device)
    start = time.perf_counter()
    feats = {
        name: folder_features(
            folder,
            model,
            batch_size=batch_size,
            device=device,
            num_workers=num_workers,
            progress=partial(
                tqdm, desc=f'{name} ({folder})', unit='batch')
            if progress else None)
        for name, folder in folders.items()
    }
    fid = frechet_distance_from_features(feats['real'], feats['fake'])
    kid, kid_std = kernel_inception_distance(
        feats['real'],
        feats['fake'],
        num_subsets=kid_subsets,
        subset_size=kid_subset_size,
        seed=kid_seed)
    elapsed = time.perf_counter() - start
    num_real, num_fake = len(feats['real']), len(feats['fake'])
    result = dict(
        fid=fid,
        kid=kid,
        kid_std=kid_std,
        num_real=num_real,
        num_fake=num_fake,
        kid_subsets=kid_subsets,
        kid_subset_size=min(kid_subset_size, num_real, num_fake),
        real_dir=osp.abspath(real_dir),
        fake_dir=osp.abspath(fake_dir),
        inception=inception_net.weights_path,
        device=str(device),
        seconds=elapsed,
        images_per_second=(num_real + num_fake) / elapsed)
    if json_file:
        save_fid_kid(result, json_file)
    return result


def save_fid_kid(result: Dict, json_file: str) -> None:
    """Write a result of :func:`folder_fid_kid` as JSON, atomically.

    Args:
        result (dict): The result.
        json_file (str): The file.

    Raises:
        OSError: It cannot be written (the file is left as it was).
    """
    with atomic_write(json_file, 'w') as f:
        json.dump(result, f, indent=2)


def format_fid_kid(result: Dict) -> str:
    """The summary that ``tools/analysis/fid.py`` prints.

    Args:
        result (dict): The output of :func:`folder_fid_kid`.

    Returns:
        str: Three lines: FID, KID, images and speed.
    """
    return '\n'.join([
        f'FID: {result["fid"]:.6f}',
        f'KID: {result["kid"]:.6f} +- {result["kid_std"]:.6f} '
        f'({result["kid_subsets"]} subsets of {result["kid_subset_size"]})',
        f'images: {result["num_real"]} real, {result["num_fake"]} fake; '
        f'{result["seconds"]:.1f} s, {result["images_per_second"]:.2f} '
        f'images/s on {result["device"]}'
    ])
