# Copyright (c) mmadvseg contributors. All rights reserved.
import zlib
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np
import torch
from mmagic.models.editors.cyclegan.cyclegan_modules import GANImageBuffer
from mmagic.registry import MODELS
from mmengine.logging import MessageHub
from torch import Tensor

from .grad_norm_probe import GradNormProbeMixin
from .mmagic_compat import TranslationModelCompatMixin
from .ramp_up import check_ramp_up, ramp_up_factor
from .semantic_terms import SemanticTermsMixin

MAP_MODES = ('soft', 'hard', 'gumbel', 'detached')
VARIANTS = {
    'multiclass': ('multiclass', ),
    'binary': ('binary', ),
    'both': ('multiclass', 'binary'),
    'consistency': (),  # SemanticConsistencyLoss only, no discriminator
    'semcycle': (),  # SemanticCycleLoss only, no discriminator
}


class AdvSegMixin(SemanticTermsMixin, GradNormProbeMixin,
                  TranslationModelCompatMixin):
    """Adds AdvSegLoss to an mmagic translation model.

    Configured by an ``adv_seg`` dict (None: the model is the baseline,
    numerically identical to mmagic's):

    - ``segmenter`` (dict): a ``FrozenPanopticSegmenter`` config.
    - ``variant`` (str): ``'multiclass'`` (a discriminator on the per-class
      probabilities), ``'binary'`` (on the thing/stuff map), ``'both'``,
      ``'consistency'`` or ``'semcycle'`` (no discriminator: that term
      only).
    - ``consistency`` / ``semantic_cycle`` (dict, optional): a
      ``SemanticConsistencyLoss`` (paired data: the generated photo against
      the real one) / ``SemanticCycleLoss`` (CycleGAN: a real photo's
      reconstruction against it) config without ``type``; non-adversarial
      terms (see ``SemanticTermsMixin``) that add to the adversarial ones.
    - ``ramp_up`` (float): the generator's seg terms (adversarial and
      semantic) are weighted linearly from 0 at iteration 0 to 1 at this
      fraction of training; 0 (default) for full weight throughout.
    - ``loss_weights`` (dict): weight per term, keys ``multiclass`` and
      ``binary``; default 1.0 each (the paper's ablation).
    - ``discriminator`` (dict): a ``SegPatchDiscriminator`` config without
      its channel counts, which follow the variant and the segmenter.
    - ``loss`` (dict): an ``AdvSegLoss`` config without ``loss_weight``.
    - ``condition`` (str, optional): image concatenated in front of the maps
      seen by the segmentation discriminators: ``'target'`` (the real image
      of the translated domain, as the reference Pix2Pix), ``'source'`` (the
      sketch of each map: the joint (sketch, map) discriminator; CycleGAN
      pairs a real photo's map with its translation to a sketch) or None.
    - ``domains`` (list[str], optional): translated domains whose outputs
      are segmented; default the model's default domain (sketch -> photo).
    - ``map_mode`` (str): what the segmentation discriminators see:
      ``'soft'`` (default: the class probabilities), ``'hard'`` (one-hot
      maps with straight-through gradients, the reference code's maps made
      differentiable), ``'gumbel'`` (Gumbel-softmax samples, see
      ``gumbel``) or ``'detached'`` (the released code: hard maps of the
      fakes with no gradient to the generator; a control arm). ``hard=True``
      is the older spelling of ``map_mode='hard'``.
    - ``gumbel`` (dict): ``tau`` (temperature, default 1.0) and
      ``straight_through`` (one-hot samples, default True).
    - ``buffer_size`` (int): the discriminator step sees fake maps drawn
      from a history of this many (mmagic's ``GANImageBuffer``, as the
      reference CycleGAN does with 50); 0 (default) for the current ones
      only. A conditioned map is kept with its condition image.

    Common random numbers: what the AdvSegLoss parts draw (initial weights,
    Gumbel noise, buffer picks) comes from random states of their own, so
    with zero weights an arm trains to its baseline's weights bit for bit.

    The segmentation discriminators live in ``self.discriminators`` under
    ``advseg_<variant>[_<domain>]`` keys, so the discriminators' optimizer,
    requires_grad toggling, DDP wrapping and checkpoints cover them.

    The segmenter is frozen and external: it is kept out of the module tree
    (not a parameter of the model, not in its state dict or checkpoints, out
    of reach of ``init_weights`` and optimizers) but moves with the model's
    device and dtype. Each image is segmented once per training step: the
    fakes with a graph shared by the discriminator (detached) and generator
    terms, the reals without a graph.
    """

    def __init__(self,
                 *args,
                 adv_seg: Optional[dict] = None,
                 grad_norm_interval: int = 0,
                 **kwargs) -> None:
        """Build mmagic's model, then the AdvSegLoss parts.

        Args:
            *args: Positional arguments of the mmagic model.
            adv_seg (dict, optional): The settings listed in the class
                docstring; None for the baseline. Defaults to None.
            grad_norm_interval (int): Log each generator term's gradient
                norm at the generated image every this many iterations (0:
                never), see :meth:`_init_diagnostics`. Defaults to 0.
            **kwargs: Keyword arguments of the mmagic model.
        """
        super().__init__(*args, **kwargs)
        self._init_adv_seg(adv_seg)
        self._init_diagnostics(grad_norm_interval)

    def _init_adv_seg(self, adv_seg: Optional[dict]) -> None:
        """Build the segmenter and the segmentation discriminators.

        Args:
            adv_seg (dict, optional): The settings listed in the class
                docstring; None for the baseline.
        """
        object.__setattr__(self, 'segmenter', None)
        self.adv_seg_terms: List[Tuple[str, str, str]] = []
        self.adv_seg_semantic: Dict[str, torch.nn.Module] = {}
        self.adv_seg_ramp_up = 0.0
        if adv_seg is None:
            return
        # built on a forked random state: the generators and discriminators
        # of every arm of a seed get the same initial weights
        with torch.random.fork_rng(devices=[]):
            self._build_adv_seg(dict(adv_seg))
            # the seed of the AdvSegLoss parts' own random numbers
            self._adv_seg_seed = int(torch.randint(2**31, ()))

    def _build_adv_seg(self, adv_seg: dict) -> None:
        variant = adv_seg.pop('variant', 'both')
        if variant not in VARIANTS:
            raise ValueError(f'adv_seg.variant must be one of '
                             f'{sorted(VARIANTS)}, got {variant!r}')
        if adv_seg.get('segmenter') is None:
            raise ValueError(
                'adv_seg needs a segmenter: a FrozenPanopticSegmenter config '
                '(see configs/_base_/segmenters/)')
        if self.discriminators is None:
            raise ValueError('adv_seg needs the model\'s discriminators: '
                             'set its discriminator config')
        weights = dict(multiclass=1.0, binary=1.0)
        unknown = set(adv_seg.get('loss_weights', {})) - set(weights)
        if unknown:
            raise ValueError(f'adv_seg.loss_weights: unknown terms '
                             f'{sorted(unknown)}; the terms are '
                             f'{sorted(weights)}')
        weights.update(adv_seg.pop('loss_weights', {}))
        segmenter = MODELS.build(adv_seg.pop('segmenter'))
        # kept out of the module tree on purpose, see the class docstring
        object.__setattr__(self, 'segmenter', segmenter)
        disc_cfg = dict(type='SegPatchDiscriminator')
        disc_cfg.update(adv_seg.pop('discriminator', {}))
        loss_cfg = dict(type='AdvSegLoss', gan_type='vanilla')
        loss_cfg.update(adv_seg.pop('loss', {}))
        self.adv_seg_condition = adv_seg.pop('condition', None)
        self._check_condition(self.adv_seg_condition)
        self.adv_seg_map_mode = _map_mode(adv_seg.pop('map_mode', None),
                                          adv_seg.pop('hard', None))
        self.adv_seg_gumbel = dict(tau=1.0, straight_through=True)
        self.adv_seg_gumbel.update(adv_seg.pop('gumbel', {}))
        buffer_size = adv_seg.pop('buffer_size', 0)
        self.adv_seg_ramp_up = check_ramp_up(adv_seg.pop('ramp_up', 0.0))
        domains = adv_seg.pop('domains', None) or [self._default_domain]
        if len(set(domains)) != len(domains):
            raise ValueError(f'adv_seg.domains lists a domain twice: '
                             f'{domains}')
        self._build_semantic_terms(variant, adv_seg)
        if adv_seg:
            raise TypeError(f'Unknown adv_seg keys: {sorted(adv_seg)}')

        channels = dict(multiclass=segmenter.num_classes, binary=2)
        self.adv_seg_losses = torch.nn.ModuleDict()
        self.adv_seg_buffers: Dict[str, GANImageBuffer] = dict()
        for domain in domains:
            if not self.is_domain_reachable(domain):
                raise ValueError(f'adv_seg.domains: {domain!r} is not a '
                                 f'translated domain of this model '
                                 f'({self._reachable_domains})')
            for kind in VARIANTS[variant]:
                key = kind if domain == self._default_domain else \
                    f'{kind}_{domain}'
                self.discriminators[f'advseg_{key}'] = MODELS.build(
                    dict(
                        disc_cfg,
                        seg_channels=channels[kind],
                        condition_channels=3 if self.adv_seg_condition else 0))
                self.adv_seg_losses[key] = MODELS.build(
                    dict(loss_cfg, loss_weight=weights[kind]))
                self.adv_seg_buffers[key] = GANImageBuffer(buffer_size)
                self.adv_seg_terms.append((key, kind, domain))

    def _check_condition(self, condition: Optional[str]) -> None:
        if condition not in (None, 'source', 'target'):
            raise ValueError("adv_seg.condition must be None, 'source' or "
                             f"'target', got {condition!r}")

    def _apply(self, fn: Callable, *args, **kwargs) -> 'AdvSegMixin':
        """Move the external segmenter with the model (``to``, ``cuda``,
        ``half`` ...)."""
        if self.segmenter is not None:
            self.segmenter._apply(fn, *args, **kwargs)
        return super()._apply(fn, *args, **kwargs)

    def init_weights(self) -> None:
        """Initialise generators and discriminators, then the segmentation
        discriminators (the segmenter keeps its checkpoint weights)."""
        super().init_weights()
        with torch.random.fork_rng(devices=[]):  # common random numbers
            for key, _, _ in self.adv_seg_terms:
                self.get_module(
                    self.discriminators)[f'advseg_{key}'].init_weights()

    @contextmanager
    def _own_random_state(self, salt: int, device: torch.device) -> Iterator:
        """Draw torch's and numpy's global random numbers from a state of
        their own, seeded by the model's AdvSegLoss seed, the iteration and
        ``salt``; the global states are restored afterwards. Stateless per
        iteration, so a resumed run draws what it would have drawn."""
        it = MessageHub.get_current_instance().get_info('iter', 0)
        seed = int(np.random.SeedSequence(
            [self._adv_seg_seed, it, salt]).generate_state(1)[0])
        np_state = np.random.get_state()
        devices = [device] if device.type == 'cuda' else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            np.random.seed(seed)
            try:
                yield
            finally:
                np.random.set_state(np_state)

    def _segment(self, outputs: dict, name: str, with_grad: bool):
        """The maps of ``outputs[name]`` in the configured mode, segmented
        once per step; cached in ``outputs`` with the soft maps
        (``soft_seg_<name>``)."""
        cache_key = f'seg_{name}'
        if cache_key not in outputs:
            mode = self.adv_seg_map_mode
            with_grad = with_grad and mode != 'detached'
            with torch.set_grad_enabled(with_grad and torch.is_grad_enabled()):
                soft = self.segmenter(outputs[name])
                outputs[f'soft_{cache_key}'] = soft
                with self._own_random_state(zlib.crc32(name.encode()),
                                            soft.probs.device):
                    outputs[cache_key] = self.segmenter.map(
                        soft.probs, 'hard' if mode == 'detached' else mode,
                        **(self.adv_seg_gumbel if mode == 'gumbel' else {}))
        return outputs[cache_key]

    def _seg_inputs(self, outputs: dict, kind: str, domain: str, fake: bool,
                    detach: bool) -> Tuple[Tensor, Optional[Tensor]]:
        """The map for one term and its conditioning image."""
        name = f'{"fake" if fake else "real"}_{domain}'
        maps = self._segment(outputs, name, with_grad=fake)
        seg = maps.probs if kind == 'multiclass' else maps.binary
        if detach:
            seg = seg.detach()
        return seg, self._condition_image(outputs, domain, fake)

    def _condition_image(self, outputs: dict, domain: str,
                         fake: bool) -> Optional[Tensor]:
        """The image in front of a map of ``domain`` (real or fake)."""
        if self.adv_seg_condition == 'target':
            return outputs[f'real_{domain}']
        if self.adv_seg_condition == 'source':
            source = self.get_other_domains(domain)[0]
            return outputs[f'real_{source}']
        return None

    def adv_seg_disc_losses(self, outputs: dict) -> Dict[str, Tensor]:
        """Discriminator terms, ``0.5 * (real + fake)`` per term, plus mean
        logits as diagnostics (keys without "loss").

        Args:
            outputs (dict): The model's forward results (``real_<domain>``,
                ``fake_<domain>``); the segmentation maps are cached in it.

        Returns:
            dict[str, Tensor]: ``loss_advseg_<term>_d``, the diagnostics
            ``advseg_<term>_d_{real,fake}_logit`` and the guide's confidence
            on real and generated images: mean entropy and maximum of the
            soft class probabilities, ``advseg_guide_{entropy,maxprob}_
            {real,fake}``.
        """
        losses = dict()
        discriminators = self.get_module(self.discriminators)
        for index, (key, kind, domain) in enumerate(self.adv_seg_terms):
            disc = discriminators[f'advseg_{key}']
            real_pred = disc(*self._seg_inputs(outputs, kind, domain, False,
                                               detach=True))
            fake_seg, condition = self._seg_inputs(outputs, kind, domain,
                                                   True, detach=True)
            with self._own_random_state(index, fake_seg.device):
                fake_seg, condition = _query_pairs(
                    self.adv_seg_buffers[key], fake_seg, condition)
            fake_pred = disc(fake_seg, condition)
            losses[f'loss_advseg_{key}_d'] = self.adv_seg_losses[
                key].discriminator_loss(real_pred, fake_pred)
            losses[f'advseg_{key}_d_real_logit'] = real_pred.detach().mean()
            losses[f'advseg_{key}_d_fake_logit'] = fake_pred.detach().mean()
        for name in {f'{kind}_{domain}' for _, _, domain in self.adv_seg_terms
                     for kind in ('real', 'fake')}:
            probs = outputs[f'soft_seg_{name}'].probs.detach()
            entropy = -(probs * probs.clamp_min(1e-12).log()).sum(1)
            kind, domain = name.split('_', 1)
            suffix = kind if domain == self._default_domain else name
            losses[f'advseg_guide_entropy_{suffix}'] = entropy.mean()
            losses[f'advseg_guide_maxprob_{suffix}'] = probs.amax(1).mean()
        return losses

    def adv_seg_gen_losses(self, outputs: dict) -> Dict[str, Tensor]:
        """Generator terms: the segmentation maps of the fakes, with their
        gradients, judged by the segmentation discriminators, and the
        semantic terms; all scaled by the ramp-up factor.

        Args:
            outputs (dict): The model's forward results; the fakes' maps
                cached by the discriminator step are reused.

        Returns:
            dict[str, Tensor]: ``loss_advseg_<term>_g``, ``loss_semcons``,
            ``loss_semcycle`` and, with a ramp-up, ``advseg_ramp``.
        """
        losses = dict()
        discriminators = self.get_module(self.discriminators)
        for key, kind, domain in self.adv_seg_terms:
            fake_pred = discriminators[f'advseg_{key}'](
                *self._seg_inputs(outputs, kind, domain, True, detach=False))
            losses[f'loss_advseg_{key}_g'] = self.adv_seg_losses[
                key].generator_loss(fake_pred)
        losses.update(self.semantic_losses(outputs))
        if self.adv_seg_ramp_up:
            ramp = ramp_up_factor(self.adv_seg_ramp_up)
            losses = {k: v * ramp for k, v in losses.items()}
            losses['advseg_ramp'] = torch.tensor(ramp)
        return losses

    def _add_losses(self, loss: Tensor, log_vars: dict,
                    extra: Dict[str, Tensor]) -> Tuple[Tensor, dict]:
        """Add parsed ``extra`` terms to a parsed (loss, log_vars) pair."""
        if not extra:
            return loss, log_vars
        extra_loss, extra_log = self.parse_losses(extra)
        loss = loss + extra_loss
        log_vars.update(extra_log)
        log_vars['loss'] = loss.detach()
        return loss, log_vars

    def _get_disc_loss(self, outputs: dict) -> Tuple[Tensor, dict]:
        loss, log_vars = super()._get_disc_loss(outputs)
        return self._add_losses(loss, log_vars,
                                self.adv_seg_disc_losses(outputs))

    def _get_gen_loss(self, outputs: dict) -> Tuple[Tensor, dict]:
        probe: Optional[Dict[str, Tensor]] = None
        interval = self.grad_norm_interval
        if interval > 0 and MessageHub.get_current_instance().get_info(
                'iter', 0) % interval == 0:
            probe = {}
        self._grad_probe = (probe, outputs) if probe is not None else None
        try:
            loss, log_vars = super()._get_gen_loss(outputs)
            loss, log_vars = self._add_losses(
                loss, log_vars, self.adv_seg_gen_losses(outputs))
        finally:
            self._grad_probe = None
        log_vars.update(probe or {})
        return loss, log_vars


def _query_pairs(
        buffer: GANImageBuffer, seg: Tensor,
        condition: Optional[Tensor]) -> Tuple[Tensor, Optional[Tensor]]:
    """Query a map buffer; a conditioned map is kept with its image."""
    if condition is None or not buffer.buffer_size:
        return buffer.query(seg), condition
    pairs = buffer.query(torch.cat([condition, seg], 1))
    return pairs[:, condition.shape[1]:], pairs[:, :condition.shape[1]]


def _map_mode(map_mode: Optional[str], hard: Optional[bool]) -> str:
    """``adv_seg.map_mode``, accepting the older ``hard=True``."""
    if hard is not None and map_mode is not None and \
            (map_mode == 'hard') != bool(hard):
        raise ValueError(f'adv_seg: hard={hard} contradicts map_mode='
                         f'{map_mode!r}; set map_mode only')
    mode = map_mode or ('hard' if hard else 'soft')
    if mode not in MAP_MODES:
        raise ValueError(f'adv_seg.map_mode must be one of {MAP_MODES}, got '
                         f'{mode!r}')
    return mode
