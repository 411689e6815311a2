# Copyright (c) mmadvseg contributors. All rights reserved.
from typing import Optional

#: The tiny Mask2Former's one definition: the toy segmenter's mmdet config
#: (relative to ``configs/``).
TINY_MASK2FORMER_CONFIG = 'toy/segmenters/mask2former_tiny_toy.py'


def tiny_mask2former_cfg(num_things: int = 80,
                         num_stuff: int = 53,
                         with_train_cfg: bool = False) -> dict:
    """An mmdet Mask2Former model dict with ~0.8 M parameters.

    The model of ``configs/toy/segmenters/mask2former_tiny_toy.py`` (the R50
    COCO panoptic architecture shrunk for CPU: ResNet-18 with 16 base
    channels, 32 feature channels, 10 queries, 1 encoder and 2 decoder
    layers) with other class counts.

    Args:
        num_things (int): Number of thing classes. Defaults to 80 (COCO).
        num_stuff (int): Number of stuff classes. Defaults to 53 (COCO).
        with_train_cfg (bool): Keep the Hungarian-assigner training config so
            the model can be trained with mmdet. Defaults to False.

    Returns:
        dict: A model dict for mmdet's ``MODELS`` (``data_preprocessor``
        included).
    """
    from mmengine.config import Config

    from ..utils.config import repo_config
    model = Config.fromfile(repo_config(TINY_MASK2FORMER_CONFIG)).model
    head, fusion = model.panoptic_head, model.panoptic_fusion_head
    head.num_things_classes = fusion.num_things_classes = num_things
    head.num_stuff_classes = fusion.num_stuff_classes = num_stuff
    head.loss_cls.class_weight = [1.0] * (num_things + num_stuff) + [0.1]
    if not with_train_cfg:
        model.train_cfg = None
    return model.to_dict()


def tiny_segmenter_cfg(num_things: int = 80,
                       num_stuff: int = 53,
                       checkpoint: Optional[str] = None) -> dict:
    """A ``FrozenPanopticSegmenter`` config around the tiny Mask2Former.

    Args:
        num_things (int): Number of thing classes. Defaults to 80.
        num_stuff (int): Number of stuff classes. Defaults to 53.
        checkpoint (str, optional): Weights to load; random weights when
            None. Defaults to None.

    Returns:
        dict: A config for mmagic's ``MODELS.build``.
    """
    return dict(
        type='FrozenPanopticSegmenter',
        config=tiny_mask2former_cfg(num_things, num_stuff),
        checkpoint=checkpoint,
        allow_random_init=checkpoint is None)


def tiny_translation_cfg(model_type: str = 'AdvSegPix2Pix',
                         adv_seg: Optional[dict] = None) -> dict:
    """A small AdvSegPix2Pix / AdvSegCycleGAN model dict for CPU tests.

    The baselines' architecture (ResNet generator, PatchGAN) with 8 base
    channels and one residual block; domains ``sketch`` -> ``photo`` as in
    the configs.

    Args:
        model_type (str): ``'AdvSegPix2Pix'`` or ``'AdvSegCycleGAN'``.
        adv_seg (dict, optional): The model's ``adv_seg`` settings; None for
            the baseline. Defaults to None.

    Returns:
        dict: A model dict for mmagic's ``MODELS.build``.
    """
    paired = model_type == 'AdvSegPix2Pix'
    norm = dict(type='BN') if paired else dict(type='IN')
    cfg = dict(
        type=model_type,
        data_preprocessor=dict(
            type='DataPreprocessor', data_keys=['img_photo', 'img_sketch']),
        generator=dict(
            type='ResnetGenerator',
            in_channels=3,
            out_channels=3,
            base_channels=8,
            norm_cfg=norm,
            use_dropout=paired,
            num_blocks=1,
            padding_mode='reflect',
            init_cfg=dict(type='normal', gain=0.02)),
        discriminator=dict(
            type='PatchDiscriminator',
            in_channels=6 if paired else 3,
            base_channels=8,
            num_conv=3,
            norm_cfg=norm,
            init_cfg=dict(type='normal', gain=0.02)),
        default_domain='photo',
        reachable_domains=['photo'] if paired else ['photo', 'sketch'],
        related_domains=['photo', 'sketch'],
        adv_seg=adv_seg)
    if not paired:
        cfg.update(buffer_size=4)
    return cfg
