# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/train.py and tools/test.py on real configs, tiny data, made-up
weights: training, validation with FID, checkpoints, resume and testing."""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
import torch
from mmagic.registry import MODELS
from mmengine.config import Config

from mmadvseg.evaluation.inception import (
    FID_WEIGHTS_NAME,
    save_random_inception_weights,
)
from mmadvseg.testing import (
    make_paired,
    make_unpaired,
    tiny_mask2former_cfg,
    tiny_segmenter_cfg,
)

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


@pytest.fixture(scope='module')
def offline_weights(tmp_path_factory) -> dict:
    """A tiny segmenter (config file + random checkpoint) and random FID
    Inception weights in a hub cache: everything the configs download."""
    root = tmp_path_factory.mktemp('weights')
    seg_cfg = str(root / 'tiny_mask2former.py')
    Config(dict(model=tiny_mask2former_cfg())).dump(seg_cfg)
    torch.manual_seed(0)
    segmenter = MODELS.build(tiny_segmenter_cfg())
    seg_ckpt = str(root / 'tiny_mask2former.pth')
    torch.save({'state_dict': segmenter.detector.state_dict()}, seg_ckpt)
    torch_home = root / 'torch_home'
    save_random_inception_weights(
        str(torch_home / 'hub' / 'checkpoints' / FID_WEIGHTS_NAME))
    return dict(config=seg_cfg, checkpoint=seg_ckpt, torch_home=torch_home)


def tool_options(data_root: str, weights: dict, paired: bool) -> list:
    """Point a real config at tiny data and offline weights, shrink it."""
    opts = []
    for split in ('train', 'val', 'test'):
        opts += [
            f'{split}_dataloader.dataset.data_root={data_root}',
            f'{split}_dataloader.num_workers=0',
            f'{split}_dataloader.persistent_workers=False'
        ]
    segmenter = [
        f'config={weights["config"]}', f'checkpoint={weights["checkpoint"]}'
    ]
    opts += [f'model.adv_seg.segmenter.{s}' for s in segmenter]
    if paired:
        for evaluator in ('val_evaluator', 'test_evaluator'):
            opts += [f'{evaluator}.metrics.1.segmenter.{s}' for s in segmenter]
    for net in ('generator', 'discriminator', 'adv_seg.discriminator'):
        opts.append(f'model.{net}.base_channels=8')
    return opts + [
        'model.generator.num_blocks=1', 'default_hooks.logger.interval=1'
    ]


def run_tool(args: list, weights: dict, **kwargs) -> subprocess.Popen:
    env = dict(
        os.environ,
        TORCH_HOME=str(weights['torch_home']),
        MMADVSEG_OFFLINE='1',
        PYTHONPATH=REPO)
    return subprocess.Popen([sys.executable] + args,
                            cwd=REPO,
                            env=env,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,
                            text=True,
                            **kwargs)


def check_run(args: list, weights: dict, timeout: int = 600) -> str:
    proc = run_tool(args, weights)
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, out[-4000:]
    return out


def scalars(work_dir: str) -> list:
    """The json scalar log of the newest run in ``work_dir``."""
    runs = sorted(d for d in os.listdir(work_dir)
                  if osp.isdir(osp.join(work_dir, d)))
    path = osp.join(work_dir, runs[-1], 'vis_data', 'scalars.json')
    with open(path) as f:
        return [json.loads(line) for line in f]


@pytest.mark.parametrize('config,paired', [
    ('configs/advseg/pix2pix_both_sheep.py', True),
    ('configs/advseg/cyclegan_binary_bedroom.py', False),
])
def test_train_then_test(config, paired, tmp_path, offline_weights):
    make = make_paired if paired else make_unpaired
    data_root = make(tmp_path / 'data', size=40)
    work_dir = str(tmp_path / 'work')
    opts = tool_options(data_root, offline_weights, paired)
    # 2 images, batch 1: one epoch is 2 iterations; validate after it
    check_run([
        'tools/train.py', config, '--work-dir', work_dir, '--cfg-options',
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=1'
    ] + opts, offline_weights)
    ckpt = osp.join(work_dir, 'epoch_1.pth')
    assert osp.isfile(ckpt)
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == ckpt
    state = torch.load(ckpt, map_location='cpu')
    assert state['meta']['iter'] == 2
    assert any(k.startswith('discriminators.advseg_')
               for k in state['state_dict'])
    assert not any(k.startswith('segmenter') for k in state['state_dict'])
    val = [s for s in scalars(work_dir) if 'FID/fid' in s]
    assert len(val) == 1 and val[0]['FID/num_fake'] == 2

    out = check_run([
        'tools/test.py', config, ckpt, '--work-dir', work_dir,
        '--cfg-options'
    ] + opts, offline_weights)
    with open(osp.join(work_dir, 'metrics.json')) as f:
        metrics = json.load(f)
    assert metrics['FID/num_fake'] == 2 and metrics['FID/fid'] >= 0
    if paired:
        assert 0 <= metrics['SegCons/aAcc'] <= 1
    images = sorted(os.listdir(osp.join(work_dir, 'images')))
    assert images == ['000.png', '001.png'], out[-2000:]


def test_test_rejects_a_foreign_checkpoint(tmp_path, offline_weights):
    data_root = make_paired(tmp_path / 'data', size=40)
    opts = tool_options(data_root, offline_weights, True)
    proc = run_tool([
        'tools/test.py', 'configs/advseg/pix2pix_both_sheep.py',
        offline_weights['checkpoint'], '--work-dir',
        str(tmp_path / 'work'), '--cfg-options'
    ] + opts, offline_weights)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode != 0
    assert 'is not a checkpoint of this config' in out
    assert 'tiny_mask2former.pth' in out


@pytest.mark.parametrize('content', [b'not a checkpoint', 'truncated'])
def test_test_rejects_an_unreadable_checkpoint(tmp_path, offline_weights,
                                              content):
    checkpoint = tmp_path / 'epoch_1.pth'
    if content == 'truncated':
        with open(offline_weights['checkpoint'], 'rb') as f:
            content = f.read()[:1000]
    checkpoint.write_bytes(content)
    proc = run_tool(['tools/test.py', 'configs/advseg/pix2pix_both_sheep.py',
                     str(checkpoint)], offline_weights)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode != 0
    assert f"Cannot read the checkpoint '{checkpoint}'" in out
    assert 'corrupt or not a PyTorch checkpoint' in out


def test_killed_training_resumes_where_it_stopped(tmp_path, offline_weights):
    """Kill training right after its first checkpoint; --resume continues
    from that iteration with the learning rate an uninterrupted run has."""
    data_root = make_paired(tmp_path / 'data', size=40)
    # constant for 1 epoch, then linear decay over 2 epochs of 2 iterations
    opts = tool_options(data_root, offline_weights, True) + [
        'train_cfg.max_epochs=3', 'train_cfg.val_interval=100',
        'default_hooks.checkpoint.interval=1',
        'param_scheduler.0.begin=1', 'param_scheduler.0.end=3'
    ]
    config = 'configs/advseg/pix2pix_binary_sheep.py'
    killed, full = str(tmp_path / 'killed'), str(tmp_path / 'full')
    proc = run_tool(['tools/train.py', config, '--work-dir', killed,
                     '--cfg-options'] + opts,
                    offline_weights,
                    start_new_session=True)
    deadline = time.time() + 600
    while not osp.isfile(osp.join(killed, 'last_checkpoint')):
        assert proc.poll() is None and time.time() < deadline, \
            proc.stdout.read()[-3000:]
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with open(osp.join(killed, 'last_checkpoint')) as f:
        resumed_from = torch.load(f.read(), map_location='cpu')
    assert not [f for f in os.listdir(killed) if f.endswith('.tmp')]

    out = check_run(['tools/train.py', config, '--work-dir', killed,
                     '--resume', '--cfg-options'] + opts, offline_weights)
    assert 'resumed' in out.lower()
    check_run(['tools/train.py', config, '--work-dir', full, '--cfg-options'] +
              opts, offline_weights)
    resumed_log, full_log = scalars(killed), scalars(full)
    start = resumed_from['meta']['iter']
    assert resumed_log[0]['iter'] == start + 1
    by_iter = {s['iter']: s for s in full_log if 'generators.lr' in s}
    assert len(by_iter) == 6
    for entry in resumed_log:
        if 'generators.lr' in entry:
            expected = by_iter[entry['iter']]
            assert entry['generators.lr'] == pytest.approx(
                expected['generators.lr'])
            assert entry['discriminators.lr'] == pytest.approx(
                expected['discriminators.lr'])
    assert by_iter[6]['generators.lr'] < by_iter[2]['generators.lr']


def test_dist_train_with_two_cpu_processes(tmp_path, offline_weights):
    """tools/dist_train.sh: 2 processes on the CPU (gloo), 2 iterations."""
    data_root = make_paired(tmp_path / 'data', size=40)
    work_dir = str(tmp_path / 'work')
    opts = tool_options(data_root, offline_weights, True) + [
        'train_cfg.max_epochs=2', 'train_cfg.val_interval=2'
    ]
    env = dict(
        os.environ,
        TORCH_HOME=str(offline_weights['torch_home']),
        MMADVSEG_OFFLINE='1',
        PYTHON=sys.executable,
        PORT='29517')
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', 'configs/advseg/pix2pix_both_sheep.py',
         '2', '--work-dir', work_dir, '--cfg-options'] + opts,
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    # each process trains on 1 of the 2 images per epoch
    assert 'Epoch(train) [2][1/1]' in out
    assert 'Averaging gradients over 2 processes' in out
    state = torch.load(osp.join(work_dir, 'epoch_2.pth'), map_location='cpu')
    assert state['meta']['iter'] == 2
    val, = [s for s in scalars(work_dir) if 'FID/fid' in s]
    assert val['FID/num_fake'] == 2  # gathered from both processes
