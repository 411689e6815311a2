# Copyright (c) mmadvseg contributors. All rights reserved.
"""Random-init FID Inception weights: offline FID/KID that compares runs
(the toy experiment, benchmarks and tests), never absolute values."""
import warnings

import torch
import torch.nn as nn

from ..utils.fileio import atomic_write


def save_random_inception_weights(path: str, seed: int = 0) -> str:
    """Write a random-init weight file in the layout of the real one.

    The layout is that of ``pt_inception-2015-12-05-6726825d.pth``
    (torchvision's Inception3 with the FID blocks, 1008 classes, no
    auxiliary head), so :class:`~mmadvseg.evaluation.inception.
    FIDInceptionV3` and pytorch-fid itself (when the file is put in its hub
    cache) load it as they load the real file. FID values computed with it
    are meaningless, but every code path runs exactly as with the real
    weights. Convolutions get Kaiming-normal weights and batch norms random
    affine parameters, so features keep a realistic scale through the
    90-odd layers.

    Args:
        path (str): Output file (written atomically).
        seed (int): Random seed. Defaults to 0.

    Returns:
        str: ``path``.
    """
    from mmagic.evaluation.functional.fid_inception import fid_inception_v3
    gen = torch.Generator().manual_seed(seed)
    with torch.device('meta'), warnings.catch_warnings():
        # torchvision's deprecation warnings about mmagic's arguments
        warnings.simplefilter('ignore', UserWarning)
        warnings.simplefilter('ignore', FutureWarning)
        net = fid_inception_v3(load_ckpt=False)
    net.to_empty(device='cpu')
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
                m.num_batches_tracked.zero_()
            elif isinstance(m, nn.Linear):
                m.weight.copy_(0.01 * torch.randn(m.weight.shape,
                                                  generator=gen))
                m.bias.zero_()
    with atomic_write(path) as tmp:
        torch.save(net.state_dict(), tmp)
    return path
