# Copyright (c) mmadvseg contributors. All rights reserved.
"""mmagic 1.2.0's bugs, shown upstream and fixed in ours."""
import json

import pytest
import torch
import torch.multiprocessing as mp
from mmagic.registry import MODELS

from mmadvseg.models.editors.mmagic_compat import (
    MMAGIC_NEEDS_FIXES,
    GradientAverager,
)
from mmadvseg.testing import (
    make_batch,
    make_unpaired,
    tiny_segmenter_cfg,
    tiny_translation_cfg,
)

needs_fixes = pytest.mark.skipif(
    not MMAGIC_NEEDS_FIXES, reason='the installed mmagic has the fixes')


def stock(model_type: str):
    cfg = tiny_translation_cfg(model_type)
    cfg.pop('adv_seg')
    cfg['type'] = model_type.replace('AdvSeg', '')
    return MODELS.build(cfg)


@needs_fixes
@pytest.mark.parametrize('model_type', ['AdvSegPix2Pix', 'AdvSegCycleGAN'])
def test_init_weights(model_type):
    with pytest.raises(UnboundLocalError, match='init_info'):
        stock(model_type).init_weights()
    model = MODELS.build(tiny_translation_cfg(model_type))
    conv = model.generators['photo'].model[0].conv
    weight = conv.weight.data
    weight.fill_(1.0)
    model.init_weights()
    # N(0, 0.02) as the configs ask
    assert weight.std().item() == pytest.approx(0.02, rel=0.3)
    assert weight.mean().abs().item() < 0.01


@needs_fixes
def test_pix2pix_test_step(paired_root):
    batch = make_batch(paired_root, True, test_mode=True)
    with pytest.raises(TypeError):
        stock('AdvSegPix2Pix').test_step(batch)
    torch.manual_seed(0)
    model = MODELS.build(tiny_translation_cfg('AdvSegPix2Pix'))
    samples = model.test_step(batch)
    assert [s.fake_photo.shape for s in samples] == [(3, 32, 32)] * 2


def _train_step_on_two_processes(rank: int, init_file: str, paired_root: str,
                                 unpaired_root: str, out: str) -> None:
    """One distributed training step per model, as tools/dist_train.sh runs
    it; rank 0 records how far the two processes' weights ended apart."""
    from mmengine.logging import MessageHub
    from mmengine.model import MMSeparateDistributedDataParallel
    from mmengine.optim import OptimWrapper, OptimWrapperDict
    from mmengine.registry import init_default_scope

    import mmadvseg.models  # noqa: F401
    torch.distributed.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank, world_size=2)
    init_default_scope('mmagic')
    MessageHub.get_current_instance().update_info('iter', 0)
    adv_seg = dict(segmenter=tiny_segmenter_cfg(), variant='both')
    models = dict(
        Pix2Pix=(stock('AdvSegPix2Pix'), paired_root),
        AdvSegPix2Pix=(MODELS.build(
            tiny_translation_cfg('AdvSegPix2Pix', adv_seg)), paired_root),
        AdvSegCycleGAN=(MODELS.build(
            tiny_translation_cfg('AdvSegCycleGAN',
                                 dict(adv_seg, condition=None))),
                        unpaired_root))
    spread = dict()
    for name, (model, root) in models.items():
        # a config's model_wrapper_cfg; it broadcasts rank 0's weights
        wrapped = MMSeparateDistributedDataParallel(
            module=model,
            broadcast_buffers=False,
            find_unused_parameters=False)
        optim = OptimWrapperDict(**{
            key: OptimWrapper(torch.optim.Adam(
                getattr(model, key).parameters(), lr=1e-2))
            for key in ('generators', 'discriminators')})
        batch = make_batch(root, paired=root == paired_root)
        if rank == 1:  # each process sees other images, as with a sampler
            batch['inputs'] = {
                key: [img.flip(-1) for img in imgs]
                for key, imgs in batch['inputs'].items()}
        before = torch.cat([p.detach().flatten() for p in model.parameters()])
        wrapped.train_step(batch, optim)
        after = torch.cat([p.detach().flatten() for p in model.parameters()])
        both = [torch.empty_like(after) for _ in range(2)]
        torch.distributed.all_gather(both, after)
        spread[name] = dict(
            between_processes=(both[0] - both[1]).abs().max().item(),
            step=(after - before).abs().max().item())
    # the averager alone: the mean of both processes' gradients, and zeros
    # for a process where a parameter took no part (as DDP)
    used, unused = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
    GradientAverager([*used.parameters(), *unused.parameters()])
    x = torch.full((1, 2), rank + 1.0)
    loss = used(x).sum() + (unused(x).sum() if rank == 1 else 0)
    loss.backward()
    spread['averaged_grads'] = [used.weight.grad.tolist(),
                                unused.weight.grad.tolist()]
    if rank == 0:
        with open(out, 'w') as f:
            json.dump(spread, f)
    torch.distributed.destroy_process_group()


@needs_fixes
def test_distributed_training_averages_gradients(paired_root, tmp_path):
    """Stock mmagic calls the networks inside their DDP wrappers directly:
    no gradient is averaged, so two processes end a step with different
    weights. Ours average them: the weights stay identical."""
    out = str(tmp_path / 'spread.json')
    mp.spawn(
        _train_step_on_two_processes,
        args=(str(tmp_path / 'init'), paired_root,
              make_unpaired(tmp_path / 'unpaired'), out),
        nprocs=2)
    with open(out) as f:
        spread = json.load(f)
    # x = 1 on rank 0, 2 on rank 1; ``unused`` only used on rank 1
    assert spread.pop('averaged_grads') == [[[1.5, 1.5]], [[1.0, 1.0]]]
    assert all(s['step'] > 1e-3 for s in spread.values()), spread
    assert spread['Pix2Pix']['between_processes'] > 1e-3
    assert spread['AdvSegPix2Pix']['between_processes'] == 0
    assert spread['AdvSegCycleGAN']['between_processes'] == 0
