# Copyright (c) mmadvseg contributors. All rights reserved.
"""The package's one process pool: :func:`run_parallel` maps a function over
work items in forked processes, with a progress bar, results in order."""
import contextlib
import multiprocessing
import sys
from typing import Any, Callable, Iterator, List, Optional, Sequence

import cv2
from tqdm import tqdm

_WORKER_FN: Optional[Callable[[Any], Any]] = None


def _init_worker(func: Callable[[Any], Any]) -> None:
    """Pool initializer: store the task function in the worker."""
    global _WORKER_FN
    _WORKER_FN = func


@contextlib.contextmanager
def _single_threaded() -> Iterator[None]:
    """One OpenCV and torch thread in this process while a pool runs.

    Forked workers inherit it (one thread each, no oversubscription), and
    it avoids a deadlock: a child forked after OpenCV's or OpenMP's thread
    pool ran in the parent hangs when it reconfigures or uses that pool.
    """
    torch = sys.modules.get('torch')
    saved = (cv2.getNumThreads(), torch.get_num_threads() if torch else 0)
    cv2.setNumThreads(1)
    if torch:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(saved[0])
        if torch:
            torch.set_num_threads(saved[1])


def _call_worker(item: Any) -> Any:
    assert _WORKER_FN is not None
    return _WORKER_FN(item)


def run_parallel(func: Callable[[Any], Any],
                 items: Sequence[Any],
                 nproc: int = 1,
                 desc: str = 'processing',
                 progress: bool = True,
                 on_result: Optional[Callable[[Any], None]] = None
                 ) -> List[Any]:
    """Map ``func`` over ``items`` with a process pool and a progress bar.

    Args:
        func (callable): Picklable function of one item (a module-level
            function or a :func:`functools.partial` of one).
        items (Sequence): Work items.
        nproc (int): Number of processes; 1 runs in this process.
        desc (str): Progress bar label.
        progress (bool): Show a tqdm progress bar on stderr.
        on_result (callable, optional): Called in this process with every
            result as it arrives (in order).

    Returns:
        list: ``func(item)`` for every item, in the order of ``items``.
    """
    results = []
    parallel = nproc > 1 and len(items) > 1
    with contextlib.ExitStack() as stack:
        bar = stack.enter_context(
            tqdm(total=len(items), desc=desc, disable=not progress,
                 file=sys.stderr, dynamic_ncols=True))
        iterator: Iterator[Any] = map(func, items)
        if parallel:
            stack.enter_context(_single_threaded())
            pool = multiprocessing.get_context('fork').Pool(
                min(nproc, len(items)), initializer=_init_worker,
                initargs=(func, ))
            stack.callback(pool.join)
            stack.callback(pool.terminate)
            chunksize = max(1, min(16, len(items) // (nproc * 8)))
            iterator = pool.imap(_call_worker, items, chunksize=chunksize)
        for result in iterator:
            results.append(result)
            if on_result is not None:
                on_result(result)
            bar.update(1)
    return results


__all__ = ['run_parallel']
