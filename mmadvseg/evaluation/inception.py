# Copyright (c) mmadvseg contributors. All rights reserved.
"""pytorch-fid's InceptionV3 ("FID Inception"), built on mmagic's port.

mmagic ships pytorch-fid's network (``mmagic.evaluation.functional.
fid_inception``); :class:`FIDInceptionV3` is its ``InceptionV3`` with the
2048-d pool features as output, frozen, run in channels-last memory format
and loaded from ``pt_inception-2015-12-05-6726825d.pth`` (the TensorFlow
2015-12-05 Inception weights ported to PyTorch) without ever downloading it
implicitly. Input handling is pytorch-fid's: bilinear resize to 299x299 with
``align_corners=False`` and [0, 1] scaled to [-1, 1]. The parameter names
equal those of ``pytorch_fid.inception.InceptionV3``, so the state dict of
one loads into the other.

The weight file is found by :func:`resolve_inception_weights`: an explicit
path, else the torch hub cache (``$TORCH_HOME/hub/checkpoints/``, where
pytorch-fid caches it), else a :class:`~mmadvseg.utils.weights.
WeightsNotFoundError` naming the file, its URL and where to put it;
``allow_download=True`` opts in to fetching it.
"""
import hashlib
import os
import os.path as osp
import warnings
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmagic.evaluation.functional.fid_inception import (
    FID_WEIGHTS_URL,
    InceptionV3,
)

from ..utils.weights import resolve_weight_file

FID_WEIGHTS_NAME = osp.basename(FID_WEIGHTS_URL)
FID_FEATURE_DIM = 2048
FID_INPUT_SIZE = 299
FID_WEIGHTS_HINT = (
    f'pass the path of a copy of {FID_WEIGHTS_URL} (`inception_path=` in '
    'the metric config, `--inception` on the command line), or allow the '
    'download (`allow_download=True`, `--allow-download`)')

# Modules of the weight file (torchvision's Inception3 layout) -> their place
# in pytorch-fid's (and mmagic's) four blocks; ``fc`` is not used.
_BLOCK_OF_MODULE = {
    'Conv2d_1a_3x3': 'blocks.0.0',
    'Conv2d_2a_3x3': 'blocks.0.1',
    'Conv2d_2b_3x3': 'blocks.0.2',
    'Conv2d_3b_1x1': 'blocks.1.0',
    'Conv2d_4a_3x3': 'blocks.1.1',
    'Mixed_5b': 'blocks.2.0',
    'Mixed_5c': 'blocks.2.1',
    'Mixed_5d': 'blocks.2.2',
    'Mixed_6a': 'blocks.2.3',
    'Mixed_6b': 'blocks.2.4',
    'Mixed_6c': 'blocks.2.5',
    'Mixed_6d': 'blocks.2.6',
    'Mixed_6e': 'blocks.2.7',
    'Mixed_7a': 'blocks.3.0',
    'Mixed_7b': 'blocks.3.1',
    'Mixed_7c': 'blocks.3.2',
}


def resolve_inception_weights(path: Optional[str] = None,
                              allow_download: bool = False) -> str:
    """Find the FID Inception weight file with :func:`resolve_weight_file`.

    Args:
        path (str, optional): Explicit path to the weight file. None looks in
            ``$TORCH_HOME/hub/checkpoints/`` (pytorch-fid's cache).
        allow_download (bool): Download the file into the hub cache when it
            is missing there. Defaults to False.

    Returns:
        str: Path to an existing weight file.

    Raises:
        WeightsNotFoundError: The file is missing (and may not be
            downloaded); the message names it, its URL and where to put it.
    """
    return resolve_weight_file(
        FID_WEIGHTS_URL if path is None else path,
        'FID Inception weights',
        allow_download=allow_download,
        hint=FID_WEIGHTS_HINT)


class FIDInceptionV3(InceptionV3):
    """The FID InceptionV3 of pytorch-fid, returning 2048-d pool features.

    Equivalent to ``pytorch_fid.inception.InceptionV3([3])`` (resize to 299,
    input normalisation on, FID Inception weights).

    Args:
        weights (str, optional): Path to the weight file. None resolves it
            with :func:`resolve_inception_weights`.
        allow_download (bool): Whether a missing weight file may be
            downloaded into the torch hub cache. Defaults to False.
        resize_input (bool): Bilinearly resize inputs to 299x299 as
            pytorch-fid does. Defaults to True.
        channels_last (bool): Run the convolutions in channels-last memory
            format: ~1.8x faster on CPU, features equal to pytorch-fid's
            within ~1e-6 relative. Defaults to True.
    """

    def __init__(self,
                 weights: Optional[str] = None,
                 allow_download: bool = False,
                 resize_input: bool = True,
                 channels_last: bool = True) -> None:
        path = resolve_inception_weights(
            weights, allow_download=allow_download)
        state_dict = _read_weight_file(path)
        # Built on the meta device: no random init of 24M parameters, the
        # weights are assigned from the file.
        with torch.device('meta'), warnings.catch_warnings():
            # torchvision's deprecation warnings about mmagic's arguments
            warnings.simplefilter('ignore', UserWarning)
            warnings.simplefilter('ignore', FutureWarning)
            super().__init__([self.DEFAULT_BLOCK_INDEX],
                             resize_input=resize_input,
                             normalize_input=True,
                             requires_grad=False,
                             use_fid_inception=True,
                             load_fid_inception=False)
        self.weights_path = path
        try:
            self.load_state_dict(_to_block_layout(state_dict), assign=True)
        except RuntimeError as err:
            raise RuntimeError(
                f'{self.weights_path!r} is not pytorch-fid\'s Inception '
                f'weight file {FID_WEIGHTS_NAME} ({FID_WEIGHTS_URL}): '
                f'{str(err)[:300]}') from err
        self.requires_grad_(False)
        self.channels_last = channels_last
        if channels_last:
            self.to(memory_format=torch.channels_last)
        self.eval()

    def train(self, mode: bool = True) -> 'FIDInceptionV3':
        """Stay in eval mode: the feature extractor is frozen."""
        return super().train(False)

    def fused(self) -> nn.Module:
        """A copy for inference with the batch norms folded into the
        convolutions (``torch.fx.experimental.optimization.fuse``): ~10% less
        compute on a CPU, features within ~1e-6 of this network's.

        Returns:
            nn.Module: The fused copy (a ``torch.fx.GraphModule`` with the
            same ``forward``).
        """
        from torch.fx.experimental.optimization import fuse
        with warnings.catch_warnings():
            # torch.fx touches deprecated torch.has_* flags while tracing
            warnings.simplefilter('ignore', UserWarning)
            return fuse(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Compute pool features.

        Args:
            x (Tensor): (N, 3, H, W) RGB images with values in [0, 1].

        Returns:
            Tensor: (N, 2048) float32 features.
        """
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return super().forward(x)[0].flatten(1)


def _read_weight_file(path: str) -> Dict[str, torch.Tensor]:
    """Load a state dict, naming the file and the fix when it is unreadable.
    """
    try:
        with warnings.catch_warnings():
            # torch 2.1's safe loader warns about TypedStorage.
            warnings.simplefilter('ignore', UserWarning)
            state_dict = torch.load(
                path, map_location='cpu', weights_only=True)
    except Exception as err:
        raise RuntimeError(
            f'Cannot read the FID Inception weights {path!r} '
            f'({type(err).__name__}): the file is corrupt or not a PyTorch '
            f'file; download {FID_WEIGHTS_URL} again.') from err
    if not isinstance(state_dict, dict):
        raise RuntimeError(
            f'{path!r} holds a {type(state_dict).__name__}, not the state '
            f'dict of {FID_WEIGHTS_NAME}; download {FID_WEIGHTS_URL} again.')
    return state_dict


def _to_block_layout(
        state_dict: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Rename the weight file's keys to pytorch-fid's block layout."""
    out = {}
    for key, value in state_dict.items():
        module, _, rest = key.partition('.')
        if module in _BLOCK_OF_MODULE:
            key = f'{_BLOCK_OF_MODULE[module]}.{rest}'
        if module != 'fc':
            out[key] = value
    return out


_HASH_MEMO: Dict[Tuple[str, int, int], str] = {}


def weights_fingerprint(path: str) -> str:
    """SHA-256 (first 16 hex digits) of a weight file, memoised per file.

    Args:
        path (str): Weight file.

    Returns:
        str: Short content hash, used to key cached real-image features.
    """
    stat = os.stat(path)
    key = (osp.realpath(path), stat.st_size, stat.st_mtime_ns)
    if key not in _HASH_MEMO:
        sha = hashlib.sha256()
        with open(path, 'rb') as f:
            for chunk in iter(lambda: f.read(1 << 20), b''):
                sha.update(chunk)
        _HASH_MEMO[key] = sha.hexdigest()[:16]
    return _HASH_MEMO[key]
