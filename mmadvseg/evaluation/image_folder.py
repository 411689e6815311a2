# Copyright (c) mmadvseg contributors. All rights reserved.
"""Inception features of a folder of images, read the way pytorch-fid does.

The same files are picked (``sorted(path.glob('*.<ext>'))`` over pytorch-fid's
lower-case extension list, not recursive) and read the same way
(``PIL.Image.open(f).convert('RGB')`` then ``ToTensor``, i.e. RGB uint8 / 255),
so FID on two folders is comparable with ``python -m pytorch_fid``.
"""
import os
import pathlib
from typing import Callable, List, Optional, Sequence

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

IMAGE_EXTENSIONS = ('bmp', 'jpg', 'jpeg', 'pgm', 'png', 'ppm', 'tif', 'tiff',
                    'webp')


def list_image_files(folder: str) -> List[pathlib.Path]:
    """Image files of a folder, selected and sorted as pytorch-fid does.

    Args:
        folder (str): Directory (not searched recursively).

    Returns:
        list[pathlib.Path]: Sorted image paths.
    """
    path = pathlib.Path(folder)
    if not path.is_dir():
        raise NotADirectoryError(f'not a directory: {folder}')
    return sorted(file for ext in IMAGE_EXTENSIONS
                  for file in path.glob(f'*.{ext}'))


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
            arr = np.array(img.convert('RGB'), dtype=np.uint8)
    except (OSError, ValueError) as err:  # PIL's corrupt/truncated errors
        raise ValueError(f'{path}: cannot read the image ({err}); delete or '
                         'regenerate it') from err
    return torch.from_numpy(arr).permute(2, 0, 1).float().div(255)


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
    if not files:
        raise FileNotFoundError(
            f'no image ({", ".join(IMAGE_EXTENSIONS)}) found in {folder}')
    loader = DataLoader(
        ImageFileDataset(files),
        batch_size=min(batch_size, len(files)),
        shuffle=False,
        num_workers=num_workers,
        collate_fn=_collate)
    batches = progress(loader) if progress is not None else loader
    feats = [extract_features(model, batch, device) for batch in batches]
    return torch.cat(feats).numpy()
