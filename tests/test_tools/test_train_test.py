# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/train.py and tools/test.py on real configs, tiny data, made-up
weights: training, validation with FID, checkpoints, kill -9 and resume,
testing, and the faults each tool names in one line."""
import hashlib
import json
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import time

import pytest
import torch
from mmagic.registry import MODELS
from mmengine.config import Config

from mmadvseg.evaluation.inception import FID_WEIGHTS_NAME
from mmadvseg.testing import (
    make_paired,
    make_unpaired,
    save_random_inception_weights,
    tiny_mask2former_cfg,
    tiny_segmenter_cfg,
)
from mmadvseg.utils.fileio import lock_folder, unlock_folder

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


def check_refused(args: list, weights: dict, timeout: int = 600) -> str:
    """Run a tool that must refuse: exit code 1, one ``error:`` line, no
    traceback. Returns that line."""
    proc = run_tool(args, weights)
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 1, out[-4000:]
    assert 'Traceback' not in out, out[-4000:]
    errors = [line for line in out.splitlines() if line.startswith('error:')]
    assert len(errors) == 1, out[-4000:]
    return errors[0]


def kill_when(proc: subprocess.Popen, done, timeout: int = 600) -> None:
    """kill -9 a tool (its process group) as soon as ``done()``."""
    deadline = time.time() + timeout
    while not done():
        assert proc.poll() is None and time.time() < deadline, \
            proc.stdout.read()[-3000:]
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def pointer(work_dir: str) -> str:
    """What ``last_checkpoint`` holds ('' before the first checkpoint)."""
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        return ''
    with open(path) as f:
        return f.read()


def training_state(path: str) -> dict:
    """Every weight, buffer and optimizer slot of a checkpoint."""
    state = torch.load(path, map_location='cpu')
    flat = {f'state_dict.{k}': v for k, v in state['state_dict'].items()}
    for net, opt in state['optimizer'].items():
        for pid, slots in opt['state'].items():
            for slot, value in slots.items():
                flat[f'optimizer.{net}.{pid}.{slot}'] = torch.as_tensor(value)
    return flat


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
    assert pointer(work_dir) == 'epoch_1.pth'  # relative: movable
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
        record = json.load(f)
    metrics = record['metrics']
    assert metrics['FID/num_fake'] == 2 and metrics['FID/fid'] >= 0
    if paired:
        assert 0 <= metrics['SegCons/aAcc'] <= 1
    with open(ckpt, 'rb') as f:
        assert record['checkpoint_sha256'] == hashlib.sha256(
            f.read()).hexdigest()
    assert record['checkpoint'] == ckpt
    assert record['config'] == osp.join(REPO, config)
    assert record['num_images'] == 2
    images = sorted(os.listdir(osp.join(work_dir, 'images')))
    assert images == ['000.png', '001.png'], out[-2000:]
    if paired:  # a second test would replace these: only when asked
        error = check_refused([
            'tools/test.py', config, ckpt, '--work-dir', work_dir,
            '--cfg-options'
        ] + opts, offline_weights)
        assert 'images holds the results of an earlier test; pass ' \
            '--overwrite' in error


def test_test_rejects_a_foreign_checkpoint(tmp_path, offline_weights):
    data_root = make_paired(tmp_path / 'data', size=40)
    opts = tool_options(data_root, offline_weights, True)
    proc = run_tool([
        'tools/test.py', 'configs/advseg/pix2pix_both_sheep.py',
        offline_weights['checkpoint'], '--work-dir',
        str(tmp_path / 'work'), '--cfg-options'
    ] + opts, offline_weights)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 1 and 'Traceback' not in out
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
    error = check_refused(['tools/test.py',
                           'configs/advseg/pix2pix_both_sheep.py',
                           str(checkpoint)], offline_weights)
    assert f'cannot read the checkpoint {checkpoint} (' in error
    assert 'corrupt or not a PyTorch checkpoint' in error


#: A short iteration-based schedule of the 'both' config: LR constant for
#: 2 iterations, then decaying; a checkpoint and a validation (FID and
#: segmentation consistency) every 2 iterations.
ITER_CONFIG = f"""
_base_ = '{REPO}/configs/advseg/pix2pix_both_sheep.py'
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=6,
                 val_interval=2)
param_scheduler = [dict(type='LinearLR', start_factor=1.0, end_factor=0.0,
                        by_epoch=False, begin=2, end=6)]
log_processor = dict(by_epoch=False)
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=2))
"""


def test_killed_and_resumed_run_equals_an_uninterrupted_one(
        tmp_path, offline_weights):
    """kill -9 after the checkpoint of iteration 2 (during validation or
    iteration 3), copy the work dir elsewhere (the old one stays), resume
    there, kill -9 again after iteration 4, resume to the end: every weight,
    buffer and optimizer slot equals an uninterrupted run's, bit for bit,
    as do the validations of iterations 2, 4 and 6. Before, the random
    state was not saved (the resumed run drifted), last_checkpoint led
    back to the old folder, and the unfinished checkpoints of the killed
    runs stayed."""
    data_root = make_paired(tmp_path / 'data', size=40)
    config = str(tmp_path / 'pix2pix_both_iters.py')
    with open(config, 'w') as f:
        f.write(ITER_CONFIG)
    opts = tool_options(data_root, offline_weights, True)
    full, killed = str(tmp_path / 'full'), str(tmp_path / 'killed')
    moved = str(tmp_path / 'moved')

    def train(work_dir: str, *extra: str) -> list:
        return ['tools/train.py', config, '--work-dir', work_dir, *extra,
                '--cfg-options'] + opts

    proc = run_tool(train(killed), offline_weights, start_new_session=True)
    kill_when(proc, lambda: pointer(killed) == 'iter_2.pth')
    shutil.copytree(killed, moved)
    dead_pid = 2**22 + 1
    leftovers = [f'iter_4.pth.{dead_pid}.0a1b2c3d.partial', 'iter_4.pth.tmp']
    for name in leftovers:  # what kills during a save left before
        with open(osp.join(moved, name), 'wb') as f:
            f.write(b'\0' * 1000)
    proc = run_tool(train(moved, '--resume'), offline_weights,
                    start_new_session=True)
    kill_when(proc, lambda: pointer(moved) == 'iter_4.pth')
    out = check_run(train(moved, '--resume'), offline_weights)
    assert f'Load checkpoint from {moved}/iter_4.pth' in out
    assert not osp.exists(osp.join(killed, 'iter_4.pth'))
    check_run(train(full), offline_weights)

    resumed, uninterrupted = training_state(
        osp.join(moved, 'iter_6.pth')), training_state(
            osp.join(full, 'iter_6.pth'))
    assert resumed.keys() == uninterrupted.keys()
    differ = [k for k in resumed if not torch.equal(resumed[k],
                                                    uninterrupted[k])]
    assert not differ, f'{len(differ)} of {len(resumed)} differ: {differ[:3]}'
    assert any(k.startswith('state_dict.discriminators.advseg_')
               for k in resumed)
    assert not [f for f in os.listdir(moved)
                if f.endswith(('.partial', '.tmp'))]

    def validations(work_dir: str) -> dict:
        runs = sorted(d for d in os.listdir(work_dir)
                      if osp.isdir(osp.join(work_dir, d)))
        found = {}
        for run in runs:
            with open(osp.join(work_dir, run, 'vis_data',
                               'scalars.json')) as f:
                for line in f:
                    entry = json.loads(line)
                    if 'FID/fid' in entry:
                        found[entry['step']] = entry['FID/fid']
        return found

    assert validations(moved) == validations(full)
    assert sorted(validations(full)) == [2, 4, 6]


def test_a_second_run_in_a_work_dir_stops(tmp_path, offline_weights):
    """Two runs in one work dir used to share checkpoint names and a log;
    the second now stops before writing anything, naming the first."""
    data_root = make_paired(tmp_path / 'data', size=40)
    work_dir = str(tmp_path / 'work')
    assert lock_folder(work_dir, 'training run')  # the first run: this test
    try:
        error = check_refused([
            'tools/train.py', 'configs/advseg/pix2pix_both_sheep.py',
            '--work-dir', work_dir, '--cfg-options'
        ] + tool_options(data_root, offline_weights, True), offline_weights)
    finally:
        unlock_folder(work_dir)
    assert f'{work_dir} is in use by a training run (pid {os.getpid()}' \
        in error
    assert os.listdir(work_dir) == ['.lock']


def test_training_on_an_unreadable_image_names_it(tmp_path,
                                                  offline_weights):
    """A truncated PNG used to stop training with "'NoneType' object has no
    attribute 'ndim'" and no path; now the error names it and the fix, and
    --skip-unreadable trains on, counting it in the log."""
    data_root = make_paired(tmp_path / 'data', size=40)
    bad = osp.join(data_root, 'train', '001.png')
    with open(bad, 'rb') as f:
        data = f.read()
    with open(bad, 'wb') as f:
        f.write(data[:len(data) // 2])
    args = [
        'tools/train.py', 'configs/advseg/pix2pix_both_sheep.py',
        '--work-dir', str(tmp_path / 'work'), '--cfg-options',
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=5'
    ] + tool_options(data_root, offline_weights, True)
    error = check_refused(args, offline_weights)
    assert f'error: {bad}: cannot decode' in error
    assert 'tools/misc/check_dataset.py' in error
    out = check_run(args + ['--skip-unreadable'], offline_weights)
    assert f'Skipped an unreadable image (1 so far in this process): {bad}' \
        in out


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


@pytest.mark.parametrize('tool,fault', [
    ('train', 'syntax'), ('train', 'no value'), ('test', 'bad key'),
    ('test', 'no value')])
def test_a_broken_config_or_option_is_one_line(tmp_path, offline_weights,
                                               tool, fault):
    """The commonest mistakes: a syntax error in the config, an option
    without ``=`` (mmengine's DictAction: ValueError inside argparse) and
    a key that does not fit the config (``Config.merge_from_dict``) were
    tracebacks."""
    config = tmp_path / 'mine.py'
    config.write_text(f"_base_ = '{REPO}/configs/advseg/pix2pix_both_"
                      "sheep.py'\ntrain_cfg = dict(max_epochs=1\n"
                      if fault == 'syntax' else
                      f"_base_ = '{REPO}/configs/advseg/pix2pix_both_"
                      "sheep.py'\n")
    args = [f'tools/{tool}.py', str(config)]
    if tool == 'test':
        args.append(offline_weights['checkpoint'])
    if fault == 'no value':
        args += ['--cfg-options', 'train_cfg.max_epochs', '3']
    elif fault == 'bad key':
        args += ['--cfg-options', 'model.generator.type.x=1']
    error = check_refused(args + ['--work-dir', str(tmp_path / 'work')],
                          offline_weights)
    expected = {
        'syntax': f'error: {config}, line 2: syntax error (',
        'no value': "error: --cfg-options 'train_cfg.max_epochs' is not "
        'KEY=VALUE',
        'bad key': "error: --cfg-options model.generator.type.x=1 does not "
        f'fit {config} ('}[fault]
    assert error.startswith(expected), error
    assert not (tmp_path / 'work').exists()
