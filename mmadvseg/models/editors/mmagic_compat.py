# Copyright (c) mmadvseg contributors. All rights reserved.
"""Fixes for mmagic's translation models, gated on the mmagic version.

mmagic 1.2.0 (the last release) has two bugs that block stock training and
testing of Pix2Pix and CycleGAN (upstream issue #2109 and the unsplit data
samples of ``Pix2Pix.test_step``). They are fixed here, in one mixin that
our models inherit before mmagic's classes; installed files are never
patched. When a fixed mmagic is installed the mixin defers to it.
"""
import mmagic
from mmagic.utils.typing import SampleList
from mmengine.utils import digit_version

#: mmagic releases up to this one need the fixes below.
LAST_AFFECTED_MMAGIC = '1.2.0'
MMAGIC_NEEDS_FIXES = (
    digit_version(mmagic.__version__) <= digit_version(LAST_AFFECTED_MMAGIC))


class TranslationModelCompatMixin:
    """Fixes ``init_weights`` and ``test_step`` of mmagic translation models.

    - ``BaseTranslationModel.init_weights`` hands its ``_params_init_info``
      to each generator and discriminator; mmagic's
      ``generation_init_weights`` then hits ``UnboundLocalError: init_info``
      on the network's top module. The fix initialises each network exactly
      as upstream intends (same order, so the same random numbers), without
      the init-info bookkeeping.
    - ``Pix2Pix.test_step`` indexes the stacked data samples without
      splitting them (``TypeError``); ``val_step`` does it right, and the two
      are documented as the same, so ``test_step`` runs ``val_step``.
    """

    def _networks_to_init(self) -> list:
        """Networks whose ``init_weights`` runs, in upstream's order."""
        nets = []
        for domain in self._reachable_domains:
            nets.append(self.get_module(self.generators)[domain])
            if self.discriminators is not None:
                nets.append(self.get_module(self.discriminators)[domain])
        return nets

    def init_weights(self) -> None:
        """Initialise every generator and discriminator."""
        if not MMAGIC_NEEDS_FIXES:
            return super().init_weights()
        for net in self._networks_to_init():
            net.init_weights()

    def test_step(self, data: dict) -> SampleList:
        """Generate images for a test batch (same as ``val_step``)."""
        if not MMAGIC_NEEDS_FIXES:
            return super().test_step(data)
        return self.val_step(data)
