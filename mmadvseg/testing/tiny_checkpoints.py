# Copyright (c) mmadvseg contributors. All rights reserved.
"""A tiny translation model on disk (config file + checkpoint), as
``tools/train.py`` leaves one, for tests of the inference tools."""
import os.path as osp
from pathlib import Path
from typing import Optional, Tuple

from .tiny_models import tiny_translation_cfg


def write_tiny_model(folder: Path,
                     model_type: str = 'AdvSegPix2Pix',
                     seed: int = 0,
                     data_root: Optional[str] = None) -> Tuple[str, str]:
    """Write ``folder/<model>.py`` and ``folder/<model>.pth``: a randomly
    initialised :func:`tiny_translation_cfg` model (8 channels, one residual
    block; Pix2Pix with batch norm and dropout, CycleGAN with instance norm).

    Args:
        folder (Path): Output folder (created).
        model_type (str): ``'AdvSegPix2Pix'`` or ``'AdvSegCycleGAN'``.
        seed (int): Seed of the random weights. Defaults to 0.
        data_root (str, optional): The config's test data (paired A|B
            images under ``test/`` for Pix2Pix, ``testA`` for CycleGAN).

    Returns:
        tuple[str, str]: The config and checkpoint paths.
    """
    import torch
    from mmagic.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    import mmadvseg.models  # noqa: F401  (registers the models)
    Path(folder).mkdir(parents=True, exist_ok=True)
    model_cfg = tiny_translation_cfg(model_type)
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(model_cfg)
    model.init_weights()
    name = osp.join(str(folder), model_type.lower())
    paired = model_type == 'AdvSegPix2Pix'
    dataset = dict(
        type='PairedImageDataset' if paired else 'UnpairedImageDataset',
        data_root=data_root or '')
    Config(dict(model=model_cfg, default_scope='mmagic',
                test_dataloader=dict(dataset=dataset))).dump(name + '.py')
    torch.save({'state_dict': model.state_dict(), 'meta': {}},
               name + '.pth')
    return name + '.py', name + '.pth'


__all__ = ['write_tiny_model']
