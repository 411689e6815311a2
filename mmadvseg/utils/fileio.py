# Copyright (c) mmadvseg contributors. All rights reserved.
"""Atomic file writes: the one way mmadvseg writes a file that a crash must
not leave half-written.

The data goes to a temporary file beside the destination,
``<name>.<pid>.<token>.partial`` (unique per writer, so two processes never
share one), is flushed to disk (``fsync``) and then renamed over the
destination with :func:`os.replace`. A reader therefore sees the old file
or the complete new one, never a mix. A writer that dies leaves only its
``.partial`` file, which :func:`remove_stale_partials` deletes once that
process is gone.
"""
import contextlib
import os
import os.path as osp
import secrets
from typing import IO, Iterator, List, Optional, Union

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


def remove_stale_partials(folder: str, recursive: bool = False) -> List[str]:
    """Delete the ``.partial`` files of writers that are no longer running.

    Only names made by :func:`partial_path` are considered, and a file
    whose writer process still runs is kept.

    Args:
        folder (str): Folder to clean.
        recursive (bool): Also clean the sub-folders. Defaults to False.

    Returns:
        list[str]: The removed files.
    """
    removed: List[str] = []
    if not osp.isdir(folder):
        return removed
    walk = os.walk(folder) if recursive else [(folder, [], os.listdir(folder))]
    for root, _, files in walk:
        for name in files:
            if not name.endswith(PARTIAL_SUFFIX):
                continue
            parts = name[:-len(PARTIAL_SUFFIX)].rsplit('.', 2)
            if len(parts) != 3 or not parts[1].isdigit():
                continue
            if _pid_alive(int(parts[1])):
                continue
            path = osp.join(root, name)
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
                removed.append(path)
    return removed


__all__ = [
    'PARTIAL_SUFFIX', 'atomic_write', 'partial_path', 'remove_stale_partials'
]
