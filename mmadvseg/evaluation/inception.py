# Copyright (c) mmadvseg contributors. All rights reserved.
"""pytorch-fid's InceptionV3 ("FID Inception"), without depending on it.

The architecture, the weight file and the input handling are exactly those of
``pytorch_fid.inception.InceptionV3`` (pytorch-fid 0.3.0) with its default
arguments: the TensorFlow 2015-12-05 Inception weights ported to PyTorch
(``pt_inception-2015-12-05-6726825d.pth``), bilinear resize to 299x299 with
``align_corners=False``, input scaled from [0, 1] to [-1, 1], and the
2048-d output of the final average pool. The parameter names of
:class:`FIDInceptionV3` equal those of pytorch-fid's model, so the state dict
of one loads into the other.

Weights are never downloaded implicitly: :func:`resolve_inception_weights`
takes an explicit path, else the torch hub cache
(``$TORCH_HOME/hub/checkpoints/``), else raises an error that names the file,
its URL and where to put it. ``allow_download=True`` opts in to fetching it.
"""
import hashlib
import os
import os.path as osp
import warnings
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models import inception as tv_inception

from mmadvseg.utils.weights import (
    OFFLINE_ENV,
    downloads_allowed,
    resolve_weight_file,
)

FID_WEIGHTS_NAME = 'pt_inception-2015-12-05-6726825d.pth'
FID_WEIGHTS_URL = ('https://github.com/mseitzer/pytorch-fid/releases/download/'
                   f'fid_weights/{FID_WEIGHTS_NAME}')
FID_FEATURE_DIM = 2048
FID_INPUT_SIZE = 299


class InceptionWeightsNotFoundError(FileNotFoundError):
    """The FID Inception weight file is not where it was looked for."""


class FIDInceptionA(tv_inception.InceptionA):
    """InceptionA block of the FID Inception (TF average pool semantics)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3dbl = self.branch3x3dbl_3(
            self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        # TensorFlow's average pool does not count the zero padding.
        branch_pool = F.avg_pool2d(
            x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch5x5, branch3x3dbl, branch_pool], 1)


class FIDInceptionC(tv_inception.InceptionC):
    """InceptionC block of the FID Inception (TF average pool semantics)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branch1x1 = self.branch1x1(x)
        branch7x7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        branch7x7dbl = self.branch7x7dbl_1(x)
        branch7x7dbl = self.branch7x7dbl_2(branch7x7dbl)
        branch7x7dbl = self.branch7x7dbl_3(branch7x7dbl)
        branch7x7dbl = self.branch7x7dbl_4(branch7x7dbl)
        branch7x7dbl = self.branch7x7dbl_5(branch7x7dbl)
        branch_pool = F.avg_pool2d(
            x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch7x7, branch7x7dbl, branch_pool], 1)


class FIDInceptionE(tv_inception.InceptionE):
    """InceptionE block of the FID Inception.

    Args:
        in_channels (int): Input channels.
        pool (str): ``'avg'`` (first E block, TF average pool without the
            padding) or ``'max'`` (second E block: the FID Inception uses a
            max pool there).
    """

    def __init__(self, in_channels: int, pool: str = 'avg') -> None:
        super().__init__(in_channels)
        assert pool in ('avg', 'max'), f'unknown pool {pool!r}'
        self.pool = pool

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branch1x1 = self.branch1x1(x)

        branch3x3 = self.branch3x3_1(x)
        branch3x3 = torch.cat(
            [self.branch3x3_2a(branch3x3),
             self.branch3x3_2b(branch3x3)], 1)

        branch3x3dbl = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        branch3x3dbl = torch.cat([
            self.branch3x3dbl_3a(branch3x3dbl),
            self.branch3x3dbl_3b(branch3x3dbl)
        ], 1)

        if self.pool == 'max':
            branch_pool = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        else:
            branch_pool = F.avg_pool2d(
                x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch3x3, branch3x3dbl, branch_pool], 1)


def _fid_inception_trunk() -> tv_inception.Inception3:
    """torchvision's Inception3 patched into the FID Inception (no weights).

    Its state dict has the layout of the weight file (1008 classes, no
    auxiliary head).
    """
    net = tv_inception.Inception3(
        num_classes=1008, aux_logits=False, init_weights=False)
    net.Mixed_5b = FIDInceptionA(192, pool_features=32)
    net.Mixed_5c = FIDInceptionA(256, pool_features=64)
    net.Mixed_5d = FIDInceptionA(288, pool_features=64)
    net.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
    net.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
    net.Mixed_7b = FIDInceptionE(1280, pool='avg')
    net.Mixed_7c = FIDInceptionE(2048, pool='max')
    return net


class FIDInceptionV3(nn.Module):
    """The FID InceptionV3 of pytorch-fid, returning 2048-d pool features.

    Equivalent to ``pytorch_fid.inception.InceptionV3([3])`` (resize to 299,
    input normalisation on, FID Inception weights).

    Args:
        weights (str | dict, optional): Path to the weight file or an already
            loaded state dict in the layout of the weight file. ``None``
            resolves the file with :func:`resolve_inception_weights`.
        allow_download (bool): Whether a missing weight file may be
            downloaded into the torch hub cache. Defaults to False.
        resize_input (bool): Bilinearly resize inputs to 299x299 as
            pytorch-fid does. Defaults to True.
        channels_last (bool): Run the convolutions in channels-last memory
            format: ~1.8x faster on CPU, features equal to pytorch-fid's
            within ~1e-6 relative. Defaults to True.
    """

    def __init__(self,
                 weights: Union[str, Dict[str, torch.Tensor], None] = None,
                 allow_download: bool = False,
                 resize_input: bool = True,
                 channels_last: bool = True) -> None:
        super().__init__()
        self.resize_input = resize_input
        self.channels_last = channels_last
        if isinstance(weights, dict):
            state_dict, self.weights_path = weights, None
        else:
            self.weights_path = resolve_inception_weights(
                weights, allow_download=allow_download)
            try:
                with warnings.catch_warnings():
                    # torch 2.1's safe loader warns about TypedStorage.
                    warnings.simplefilter('ignore', UserWarning)
                    state_dict = torch.load(
                        self.weights_path, map_location='cpu',
                        weights_only=True)
            except Exception as err:
                raise RuntimeError(
                    f'Cannot read the FID Inception weights '
                    f'{self.weights_path!r} ({type(err).__name__}): the file '
                    f'is corrupt or not a PyTorch file; download '
                    f'{FID_WEIGHTS_URL} again.') from err
        net = _fid_inception_trunk()
        try:
            net.load_state_dict(state_dict)
        except RuntimeError as err:
            raise RuntimeError(
                f'{self.weights_path or "The state dict"!r} is not '
                f'pytorch-fid\'s Inception weight file {FID_WEIGHTS_NAME} '
                f'({FID_WEIGHTS_URL}): {str(err)[:300]}') from err
        # Same grouping (and hence parameter names) as pytorch-fid.
        self.blocks = nn.ModuleList([
            nn.Sequential(net.Conv2d_1a_3x3, net.Conv2d_2a_3x3,
                          net.Conv2d_2b_3x3,
                          nn.MaxPool2d(kernel_size=3, stride=2)),
            nn.Sequential(net.Conv2d_3b_1x1, net.Conv2d_4a_3x3,
                          nn.MaxPool2d(kernel_size=3, stride=2)),
            nn.Sequential(net.Mixed_5b, net.Mixed_5c, net.Mixed_5d,
                          net.Mixed_6a, net.Mixed_6b, net.Mixed_6c,
                          net.Mixed_6d, net.Mixed_6e),
            nn.Sequential(net.Mixed_7a, net.Mixed_7b, net.Mixed_7c,
                          nn.AdaptiveAvgPool2d(output_size=(1, 1))),
        ])
        for param in self.parameters():
            param.requires_grad_(False)
        if channels_last:
            self.to(memory_format=torch.channels_last)
        self.eval()

    def train(self, mode: bool = True) -> 'FIDInceptionV3':
        """Stay in eval mode: the feature extractor is frozen."""
        return super().train(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Compute pool features.

        Args:
            x (Tensor): (N, 3, H, W) RGB images with values in [0, 1].

        Returns:
            Tensor: (N, 2048) float32 features.
        """
        if self.resize_input:
            x = F.interpolate(
                x,
                size=(FID_INPUT_SIZE, FID_INPUT_SIZE),
                mode='bilinear',
                align_corners=False)
        x = 2 * x - 1
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        for block in self.blocks:
            x = block(x)
        return x.flatten(1)


def default_inception_weights_path() -> str:
    """Where pytorch-fid (and torch hub) cache the weight file."""
    return osp.join(torch.hub.get_dir(), 'checkpoints', FID_WEIGHTS_NAME)


def resolve_inception_weights(path: Optional[str] = None,
                              allow_download: bool = False) -> str:
    """Find the FID Inception weight file.

    Order: the explicit ``path``; else
    ``torch.hub.get_dir()/checkpoints/pt_inception-2015-12-05-6726825d.pth``
    (``$TORCH_HOME/hub/checkpoints/``, where pytorch-fid caches it); else, only
    if ``allow_download``, download it there.

    Args:
        path (str, optional): Explicit path to the weight file.
        allow_download (bool): Download the file into the hub cache when it
            is missing. Defaults to False.

    Returns:
        str: Path to an existing weight file.

    Raises:
        InceptionWeightsNotFoundError: The file is missing (and downloading
            was not allowed).
    """
    if path is not None:
        path = osp.expanduser(str(path))
        if not osp.isfile(path):
            raise InceptionWeightsNotFoundError(
                f'FID Inception weights not found at {path!r} (given '
                f'explicitly). Expected the file {FID_WEIGHTS_NAME} from '
                f'{FID_WEIGHTS_URL}.')
        return path
    cached = default_inception_weights_path()
    if osp.isfile(cached):
        return cached
    if allow_download and downloads_allowed():
        return resolve_weight_file(FID_WEIGHTS_URL, 'FID Inception weights')
    raise InceptionWeightsNotFoundError(
        f'FID Inception weights {FID_WEIGHTS_NAME} not found. Download '
        f'{FID_WEIGHTS_URL} and put it at {cached} (i.e. '
        '$TORCH_HOME/hub/checkpoints/, the cache pytorch-fid uses), or pass '
        'its path explicitly (`inception_path=` in the metric config, '
        '`--inception` on the command line), or allow the download '
        '(`allow_download=True`; downloads are disabled while '
        f'{OFFLINE_ENV} is set).')


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


def save_random_inception_weights(path: str, seed: int = 0) -> str:
    """Write a random-init weight file in the layout of the real one.

    For tests and offline benchmarks only: FID values computed with it are
    meaningless, but every code path (and pytorch-fid itself, when the file is
    put in its hub cache) runs exactly as with the real weights. Convolutions
    get Kaiming-normal weights and batch norms random affine parameters, so
    features keep a realistic scale through the 90-odd layers.

    Args:
        path (str): Output file.
        seed (int): Random seed. Defaults to 0.

    Returns:
        str: ``path``.
    """
    gen = torch.Generator().manual_seed(seed)
    net = _fid_inception_trunk()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.copy_(
                    torch.randn(m.weight.shape, generator=gen) *
                    (2.0 / fan_in)**0.5)
            elif isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(1 + 0.1 * torch.randn(n, generator=gen))
                m.bias.copy_(0.1 * torch.randn(n, generator=gen))
                m.running_mean.copy_(0.1 * torch.randn(n, generator=gen))
                m.running_var.copy_(1 + 0.1 * torch.rand(n, generator=gen))
            elif isinstance(m, nn.Linear):
                m.weight.copy_(0.01 * torch.randn(m.weight.shape,
                                                  generator=gen))
                m.bias.zero_()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    torch.save(net.state_dict(), path)
    return path
