# Copyright (c) mmadvseg contributors. All rights reserved.
"""The one atomic write, folders filled under a temporary name, stale
temporary files, and the folder lock."""
import os
import os.path as osp
import subprocess
import sys

import pytest

from mmadvseg.utils import fileio

DEAD_PID = 2**22 + 1  # above any pid_max: no such process


def test_atomic_write_syncs_before_the_rename(tmp_path, monkeypatch):
    events = []
    monkeypatch.setattr(fileio.os, 'fsync',
                        lambda fd: events.append('fsync'))
    real_replace = os.replace
    monkeypatch.setattr(
        fileio.os, 'replace',
        lambda a, b: (events.append('replace'), real_replace(a, b)))
    target = tmp_path / 'ckpt.pth'
    with fileio.atomic_write(str(target)) as tmp:
        assert tmp.endswith('.partial') and str(os.getpid()) in tmp
        open(tmp, 'wb').write(b'data')
    assert events == ['fsync', 'replace']
    assert target.read_bytes() == b'data'
    assert os.listdir(tmp_path) == ['ckpt.pth']


def test_a_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / 'metrics.json'
    target.write_text('old')
    with pytest.raises(RuntimeError):
        with fileio.atomic_write(str(target), 'w') as f:
            f.write('half')
            raise RuntimeError('killed')
    assert target.read_text() == 'old'
    assert os.listdir(tmp_path) == ['metrics.json']


def test_stale_partial_files_and_folders_removed(tmp_path):
    dead_file = tmp_path / f'iter_4.pth.{DEAD_PID}.0a1b2c3d.partial'
    dead_dir = tmp_path / f'images.{DEAD_PID}.0a1b2c3d.partial'
    live = tmp_path / f'iter_6.pth.{os.getpid()}.0a1b2c3d.partial'
    other = tmp_path / 'notes.partial'
    dead_file.write_bytes(b'x')
    (dead_dir / 'sub').mkdir(parents=True)
    (dead_dir / 'sub' / 'a.png').write_bytes(b'x')
    live.write_bytes(b'x')
    other.write_bytes(b'x')
    removed = fileio.remove_stale_partials(str(tmp_path))
    assert sorted(removed) == sorted([str(dead_file), str(dead_dir)])
    assert sorted(os.listdir(tmp_path)) == sorted([live.name, other.name])


def test_commit_folder_replaces_the_old_content_at_once(tmp_path):
    target = tmp_path / 'images'
    target.mkdir()
    (target / 'old.png').write_bytes(b'old')
    tmp = fileio.partial_folder(str(target))
    assert osp.isdir(tmp) and tmp.endswith('.partial')
    os.makedirs(osp.join(tmp, 'sub'))
    open(osp.join(tmp, 'sub', 'new.png'), 'wb').write(b'new')
    assert os.listdir(target) == ['old.png']  # untouched until committed
    fileio.commit_folder(tmp, str(target))
    assert os.listdir(target) == ['sub']
    assert os.listdir(tmp_path) == ['images']


def _hold_lock(folder: str) -> subprocess.Popen:
    code = ('import sys, time\n'
            'from mmadvseg.utils.fileio import lock_folder\n'
            f'lock_folder({folder!r}, "training run")\n'
            'print("locked", flush=True)\n'
            'sys.stdin.read()\n')
    proc = subprocess.Popen([sys.executable, '-c', code],
                            stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline() == 'locked\n'
    return proc


def test_lock_keeps_a_second_process_out(tmp_path):
    folder = str(tmp_path / 'work')
    holder = _hold_lock(folder)
    try:
        with pytest.raises(fileio.FolderLockedError,
                           match=f'in use by a training run \\(pid '
                           f'{holder.pid} .*--work-dir'):
            fileio.lock_folder(folder)
    finally:
        holder.kill()  # like kill -9: the OS drops the lock
        holder.wait()
    assert fileio.lock_folder(folder) is True
    assert fileio.lock_folder(folder) is False  # this process holds it already
    fileio.unlock_folder(folder)


def test_lock_is_not_inherited_by_forked_children(tmp_path):
    """Dataloader workers fork the training process: the lock must go with
    the process that took it, not stay with a lingering worker."""
    folder = str(tmp_path / 'work')
    assert fileio.lock_folder(folder)
    pid = os.fork()
    if pid == 0:  # child: sleeps while the parent lets go
        import time
        time.sleep(5)
        os._exit(0)
    try:
        fileio.unlock_folder(folder)
        code = ('from mmadvseg.utils.fileio import lock_folder\n'
                f'print(lock_folder({folder!r}))\n')
        out = subprocess.run([sys.executable, '-c', code],
                             capture_output=True, text=True, timeout=60)
        assert out.stdout.strip() == 'True', out.stderr
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
