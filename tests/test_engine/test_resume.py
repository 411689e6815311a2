# Copyright (c) mmadvseg contributors. All rights reserved.
"""A resumed run is the run it continues: its state, its checks, and
resumed-vs-uninterrupted training in this process (the kill -9 version is
in tests/test_tools/test_train_test.py)."""
import os
import os.path as osp
import random

import numpy as np
import pytest
import torch
from mmagic.registry import MODELS

from mmadvseg.engine.resume import (
    STATE_KEY,
    ResumeError,
    capture_run_state,
    check_resumable,
    clean_work_dir,
    restore_buffers,
    restore_rng,
    resume_checkpoint,
    rng_state,
)
from mmadvseg.engine.runs import train
from mmadvseg.testing import tiny_segmenter_cfg, tiny_translation_cfg

DEAD_PID = 2**22 + 1


def _draws() -> tuple:
    return (random.random(), float(np.random.rand()), float(torch.rand(1)))


def test_rng_state_round_trip():
    state = rng_state()
    first = _draws()
    _draws()
    restore_rng(state)
    assert _draws() == first


def test_image_buffers_round_trip():
    torch.manual_seed(0)
    model = MODELS.build(tiny_translation_cfg('AdvSegCycleGAN'))
    buffer = model.image_buffers['photo']
    buffer.query(torch.rand(3, 3, 8, 8))
    state = capture_run_state(model)
    fresh = MODELS.build(tiny_translation_cfg('AdvSegCycleGAN'))
    restore_buffers(fresh, state['buffers'])
    restored = fresh.image_buffers['photo']
    assert restored.img_num == buffer.img_num == 3
    for a, b in zip(restored.image_buffer, buffer.image_buffer):
        assert torch.equal(a, b)
    one_image = 3 * 8 * 8 * 4  # bytes
    assert capture_run_state(model, 3 * one_image)['buffers']
    assert capture_run_state(model, 3 * one_image - 1)['buffers'] is None


def test_last_checkpoint_of_a_moved_work_dir(tmp_path):
    """A relative pointer, and an absolute one written before a move or
    copy, name the checkpoint of the work dir itself."""
    work = tmp_path / 'moved'
    work.mkdir()
    (work / 'iter_4.pth').write_bytes(b'x')
    assert resume_checkpoint(str(work)) is None
    (work / 'last_checkpoint').write_text('iter_4.pth')
    assert resume_checkpoint(str(work)) == str(work / 'iter_4.pth')
    old = tmp_path / 'old'
    old.mkdir()
    (old / 'iter_4.pth').write_bytes(b'x')  # the old folder still exists
    (work / 'last_checkpoint').write_text(str(old / 'iter_4.pth'))
    assert resume_checkpoint(str(work)) == str(work / 'iter_4.pth')
    (work / 'last_checkpoint').write_text('iter_8.pth')
    with pytest.raises(ResumeError, match='names iter_8.pth, which is not '
                       'in .*--resume PATH'):
        resume_checkpoint(str(work))


def test_clean_work_dir_removes_leftovers_of_dead_runs(tmp_path):
    leftovers = [
        f'iter_6.pth.{DEAD_PID}.0a1b2c3d.partial', 'iter_6.pth.tmp',
        'last_checkpoint.tmp'
    ]
    kept = ['iter_4.pth', f'iter_8.pth.{os.getpid()}.0a1b2c3d.partial']
    for name in leftovers + kept:
        (tmp_path / name).write_bytes(b'x')
    removed = clean_work_dir(str(tmp_path))
    assert sorted(osp.basename(p) for p in removed) == sorted(leftovers)
    assert sorted(os.listdir(tmp_path)) == sorted(kept)


def test_check_resumable_names_what_is_wrong():
    baseline = MODELS.build(tiny_translation_cfg('AdvSegPix2Pix'))
    both = MODELS.build(
        tiny_translation_cfg('AdvSegPix2Pix',
                             adv_seg=dict(variant='both',
                                          segmenter=tiny_segmenter_cfg())))
    checkpoint = dict(state_dict=baseline.state_dict(), optimizer={})
    check_resumable(checkpoint, baseline, 'base.pth')
    with pytest.raises(ResumeError, match='base.pth holds another model '
                       'layout than this config \\(weights missing '
                       'discriminators.advseg_binary.*load_from=base.pth'):
        check_resumable(checkpoint, both, 'base.pth')
    with pytest.raises(ResumeError, match='base.pth has no optimizer state '
                       '.*save_optimizer=False'):
        check_resumable(dict(state_dict=baseline.state_dict()), baseline,
                        'base.pth')


def _weights_and_optimizers(path: str) -> dict:
    state = torch.load(path, map_location='cpu')
    flat = {f'state_dict.{k}': v for k, v in state['state_dict'].items()}
    for net, opt in state['optimizer'].items():
        for pid, slots in opt['state'].items():
            for slot, value in slots.items():
                flat[f'optimizer.{net}.{pid}.{slot}'] = value
    return flat


def _assert_identical(path_a: str, path_b: str) -> None:
    a, b = _weights_and_optimizers(path_a), _weights_and_optimizers(path_b)
    assert a.keys() == b.keys()
    differ = [
        k for k in a
        if not torch.equal(torch.as_tensor(a[k]), torch.as_tensor(b[k]))
    ]
    assert not differ, f'{len(differ)} of {len(a)} differ: {differ[:4]}'


def test_epoch_based_cyclegan_resumes_bit_identical(tiny_runs, tmp_path):
    """Killed after epoch 2 of 3 (validation after every epoch, image
    buffers of 1 that start replacing at the second image), resumed: the
    weights and optimizer states equal an uninterrupted run's, bit for
    bit. Without the saved random state and buffers they did not."""
    config = 'configs/baselines/cyclegan_bedroom.py'
    opts = tiny_runs.options(
        False, **{
            'train_cfg.max_epochs': 3,
            'train_cfg.val_interval': 1,
            'param_scheduler.0.begin': 1,
            'param_scheduler.0.end': 3,
            'default_hooks.checkpoint.interval': 1,
            'model.buffer_size': 1,
        })
    full, killed = str(tmp_path / 'full'), str(tmp_path / 'killed')
    train(config, full, cfg_options=dict(opts))
    crash = dict(opts, custom_hooks=[dict(type='CrashAfterIter', at=5)])
    with pytest.raises(KeyboardInterrupt):
        train(config, killed, cfg_options=tiny_runs.options(False, **crash))
    with open(osp.join(killed, 'last_checkpoint')) as f:
        assert f.read() == 'epoch_2.pth'
    saved = torch.load(osp.join(killed, 'epoch_2.pth'), map_location='cpu')
    assert saved[STATE_KEY]['ranks'][0]['buffers']
    # resume=True as mmengine's Runner takes it (no path): the hook finds
    # the checkpoint that last_checkpoint names relative to the work dir
    train(config, killed,
          cfg_options=tiny_runs.options(False, resume=True, **opts))
    _assert_identical(osp.join(full, 'epoch_3.pth'),
                      osp.join(killed, 'epoch_3.pth'))


def test_resume_refuses_another_layout_and_missing_optimizers(
        tiny_runs, tmp_path):
    """A baseline checkpoint resumed with the 'both' config used to start
    the segmentation discriminators from random weights (or crash on the
    optimizers' parameter groups); one without optimizer state restarted
    both optimizers from scratch. Both are refused, naming the file."""
    segmenter = dict(tiny_segmenter_cfg(), _delete_=True)
    opts = tiny_runs.options(True, **{
        'train_cfg.max_epochs': 1,
        'val_evaluator.metrics.1.segmenter': segmenter,
    })
    work = str(tmp_path / 'baseline')
    train('configs/baselines/pix2pix_sheep.py', work, cfg_options=opts)
    ckpt = osp.join(work, 'epoch_1.pth')
    both = tiny_runs.options(
        True, **{
            'train_cfg.max_epochs': 2,
            'model.adv_seg.segmenter': segmenter,
            'model.adv_seg.discriminator.base_channels': 8,
            'val_evaluator.metrics.1.segmenter': segmenter,
        })
    with pytest.raises(ResumeError, match=f'{ckpt} holds another model '
                       'layout than this config \\(weights missing '
                       'discriminators.advseg_binary'):
        train('configs/advseg/pix2pix_both_sheep.py', str(tmp_path / 'both'),
              resume=ckpt, cfg_options=both)
    state = torch.load(ckpt, map_location='cpu')
    del state['optimizer']
    torch.save(state, ckpt)
    with pytest.raises(ResumeError, match=f'{ckpt} has no optimizer state'):
        train('configs/baselines/pix2pix_sheep.py', work, resume='auto',
              cfg_options=tiny_runs.options(True, **opts))
