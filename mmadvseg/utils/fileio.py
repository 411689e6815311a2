# Copyright (c) mmadvseg contributors. All rights reserved.
"""Atomic file writes: the one way mmadvseg writes a file that a crash must
not leave half-written.

The data goes to a temporary file beside the destination,
``<name>.<pid>.<token>.partial`` (unique per writer, so two processes never
share one), is flushed to disk (``fsync``) and then renamed over the
destination with :func:`os.replace`. A reader therefore sees the old file
or the complete new one, never a mix. A writer that dies leaves only its
``.partial`` file, which :func:`remove_stale_partials` deletes once that
process is gone. A folder written over many steps (a test run's images) is
filled under such a name too and moved in place at the end
(:func:`partial_folder`, :func:`commit_folder`). :func:`lock_folder` keeps
a second process out of a folder (a work dir) that a running one owns.
"""
import contextlib
import os
import os.path as osp
import secrets
import shutil
import socket
from typing import IO, Dict, Iterator, List, Optional, Union

PARTIAL_SUFFIX = '.partial'


def partial_path(path: str) -> str:
    """A temporary name beside ``path``, unique to this writer.

    Args:
        path (str): The destination.

    Returns:
        str: ``<path>.<pid>.<token>.partial``.
    """
    return f'{path}.{os.getpid()}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}'


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str,
                 mode: Optional[str] = None,
                 fsync: bool = True) -> Iterator[Union[str, IO]]:
    """Write ``path`` atomically.

    With ``mode`` (``'w'``, ``'wb'``) the block gets an open file; without,
    it gets the temporary path, for writers that want a file name
    (``torch.save``, ``Runner.save_checkpoint``). When the block ends
    normally the temporary file is synced and renamed to ``path``; when it
    raises, the temporary file is removed and ``path`` is left as it was.

    Examples:
        >>> with atomic_write('results.json', 'w') as f:
        ...     json.dump(results, f)
        >>> with atomic_write('model.pth') as tmp:
        ...     torch.save(state, tmp)

    Args:
        path (str): Destination file; its folder is created if needed.
        mode (str, optional): Open mode of the file handed to the block;
            None hands over the temporary path instead. Defaults to None.
        fsync (bool): Flush the data to disk before the rename, so a power
            loss cannot leave an empty file under the final name. Defaults
            to True.

    Yields:
        IO | str: The open temporary file, or its path.
    """
    if mode is not None and not mode.startswith('w'):
        raise ValueError(f'atomic_write writes files, got mode {mode!r}')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = partial_path(path)
    try:
        if mode is None:
            yield tmp
        else:
            encoding = None if 'b' in mode else 'utf-8'
            with open(tmp, mode, encoding=encoding) as f:
                yield f
        if fsync:
            _fsync(tmp)
        os.replace(tmp, path)
    finally:
        if osp.lexists(tmp):
            os.remove(tmp)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def _is_stale(name: str) -> bool:
    """Whether ``name`` was made by :func:`partial_path` in a process that
    is no longer running."""
    if not name.endswith(PARTIAL_SUFFIX):
        return False
    parts = name[:-len(PARTIAL_SUFFIX)].rsplit('.', 2)
    return (len(parts) == 3 and parts[1].isdigit()
            and not _pid_alive(int(parts[1])))


def remove_stale_partials(folder: str, recursive: bool = False) -> List[str]:
    """Delete the ``.partial`` files (and folders) of writers that are no
    longer running.

    Only names made by :func:`partial_path` are considered, and one whose
    writer process still runs is kept.

    Args:
        folder (str): Folder to clean.
        recursive (bool): Also clean the sub-folders. Defaults to False.

    Returns:
        list[str]: The removed paths.
    """
    removed: List[str] = []
    if not osp.isdir(folder):
        return removed
    walk = os.walk(folder) if recursive else [(folder, [], os.listdir(folder))]
    for root, dirs, files in walk:
        for name in files + dirs:
            if not _is_stale(name):
                continue
            path = osp.join(root, name)
            with contextlib.suppress(FileNotFoundError):
                if osp.isdir(path) and not osp.islink(path):
                    shutil.rmtree(path)
                else:
                    os.remove(path)
                removed.append(path)
        dirs[:] = [d for d in dirs if osp.join(root, d) not in removed]
    return removed


def partial_folder(path: str) -> str:
    """Create an empty folder to fill in place of ``path``.

    Args:
        path (str): The folder the content is for.

    Returns:
        str: The new ``<path>.<pid>.<token>.partial`` folder; give it to
        :func:`commit_folder` once it is complete.
    """
    tmp = partial_path(path)
    os.makedirs(tmp)
    return tmp


def commit_folder(tmp: str, path: str) -> None:
    """Put a complete folder made by :func:`partial_folder` at ``path``,
    replacing what is there.

    The folder's files are synced first; an old ``path`` is renamed away
    and deleted only after the new one is in place, so ``path`` holds the
    old content or the new, never a mix.

    Args:
        tmp (str): The filled temporary folder.
        path (str): Destination folder.
    """
    for root, _, files in os.walk(tmp):
        for name in files:
            _fsync(osp.join(root, name))
    old = None
    if osp.lexists(path):
        old = partial_path(path)
        os.replace(path, old)
    os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_problem(path: str, folder: bool = False) -> Optional[str]:
    """Why ``path`` could not be written, checked before the work that makes
    it (by writing and removing a probe file in the nearest folder that
    exists).

    Args:
        path (str): The file (or folder) to write; its folders may not
            exist yet.
        folder (bool): ``path`` is a folder, written beside itself and
            renamed (:func:`partial_folder`). Defaults to False.

    Returns:
        str | None: The reason, naming the path; None if it can be written.
    """
    if osp.isdir(path) != folder and osp.exists(path):
        return f'{path} is a {"file" if folder else "folder"}, not a ' \
            f'{"folder" if folder else "file"}'
    parent = osp.dirname(osp.abspath(path))
    while not osp.lexists(parent):
        parent = osp.dirname(parent)
    if not osp.isdir(parent):
        return f'cannot write {path}: {parent} is not a folder'
    try:
        with open(partial_path(osp.join(parent, '.write-probe')), 'x') as f:
            os.remove(f.name)
    except OSError as err:
        return (f'cannot write {path}: {parent} is not writable '
                f'({err.strerror})')
    return None


class FolderLockedError(RuntimeError):
    """Another running process holds the lock of a folder."""


#: Folders this process has locked: real path -> open lock file.
_LOCKS: Dict[str, IO] = {}
LOCK_NAME = '.lock'


def lock_folder(folder: str, what: str = 'run') -> bool:
    """Lock ``folder`` for this process until it exits (or
    :func:`unlock_folder`).

    The lock is an OS lock on ``<folder>/.lock`` (``fcntl.lockf``): it is
    released when the process ends however it ends, kill -9 included, and
    it is not passed to forked children such as dataloader workers.

    Args:
        folder (str): The folder; created if needed.
        what (str): What this process is, for the other process's error
            message. Defaults to ``'run'``.

    Returns:
        bool: True if this call took the lock, False if this process
        already held it.

    Raises:
        FolderLockedError: Another running process holds it.
    """
    import fcntl
    key = osp.realpath(folder)
    if key in _LOCKS:
        return False
    os.makedirs(folder, exist_ok=True)
    path = osp.join(folder, LOCK_NAME)
    f = open(path, 'a+', encoding='utf-8')
    try:
        fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.seek(0)
        holder = f.read().strip() or 'another process'
        f.close()
        raise FolderLockedError(
            f'{folder} is in use by {holder}; wait for it to finish or stop '
            'it, or choose another folder (--work-dir)') from None
    f.seek(0)
    f.truncate()
    f.write(f'a {what} (pid {os.getpid()} on {socket.gethostname()})')
    f.flush()
    _LOCKS[key] = f
    return True


def unlock_folder(folder: str) -> None:
    """Release a lock taken by :func:`lock_folder` (no-op without one).

    Args:
        folder (str): The folder.
    """
    f = _LOCKS.pop(osp.realpath(folder), None)
    if f is not None:
        f.close()  # closing the file releases the lock


__all__ = [
    'PARTIAL_SUFFIX', 'LOCK_NAME', 'FolderLockedError', 'atomic_write',
    'partial_path', 'remove_stale_partials', 'partial_folder',
    'commit_folder', 'lock_folder', 'unlock_folder', 'write_problem'
]
