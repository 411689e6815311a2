# Copyright (c) mmadvseg contributors. All rights reserved.
"""What ``make demo`` shows on the console: one progress bar per stage
(scenes, segmenters, GAN runs) and nothing else; everything the stages
print (mmengine's hook tables and iteration logs, third-party warnings)
goes to a log file.

:func:`quiet_console` sends this process's standard output and error, and
so those of the processes it starts, to the log file at the file
descriptor level, and gives back a stream to the console.
:class:`StageProgress` watches the files the stages write (scene images,
the runners' iteration logs, finished checkpoints and results) from a
thread and draws the bars there; the experiment itself is not changed.
"""
import contextlib
import glob
import os
import os.path as osp
import re
import sys
import threading
from typing import IO, Callable, Iterator, List, Tuple

from .protocol import ToyExperiment

#: The last ``Iter(train) [ 50/400]`` of an mmengine log.
_ITER = re.compile(rb'Iter\(train\) \[\s*(\d+)/(\d+)\]')


@contextlib.contextmanager
def quiet_console(log_file: str) -> Iterator[IO[str]]:
    """Redirect standard output and error (file descriptors 1 and 2, so
    also of child processes and C libraries) to ``log_file`` (appended);
    yield a text stream to the console's standard error.

    Args:
        log_file (str): The log file (its folder is created).
    """
    os.makedirs(osp.dirname(osp.abspath(log_file)), exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    console = os.fdopen(os.dup(2), 'w', buffering=1)
    with open(log_file, 'a') as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield console
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            console.close()


def _last_iter(pattern: str) -> int:
    """The last training iteration logged in the files matching
    ``pattern`` (their tails; 0 without one)."""
    last = 0
    for path in glob.glob(pattern):
        with open(path, 'rb') as f:
            f.seek(max(0, osp.getsize(path) - 65536))
            found = _ITER.findall(f.read())
        if found:
            last = max(last, int(found[-1][0]))
    return last


def _count(folder: str) -> int:
    return len(os.listdir(folder)) if osp.isdir(folder) else 0


def demo_stages(exp: ToyExperiment) -> List[Tuple[str, int, Callable[[],
                                                                   int]]]:
    """The stages of a demo experiment: ``(name, total, done())``, where
    ``done`` counts scenes written or training iterations run, read from
    the files the stage writes."""
    scenes = [exp.scenes, exp.judge_scenes]
    num_scenes = sum(s.num_train + s.num_test for s in scenes)
    seg_root = osp.join(exp.work_dir, f'seg_{exp.scenes.color_mode}')
    seg_dirs = [osp.join(seg_root, name) for name in (
        'mask2former_tiny_toy', 'mask2former_tiny-wide_toy',
        'panoptic_fpn_tiny_toy')]
    run_dirs = [osp.join(exp.runs_dir, arm.run_name(seed))
                for arm in exp.arms for seed in exp.seeds]

    def scenes_done() -> int:
        return sum(min(_count(s.img_dir(split)), len(s.names(split)))
                   for s in scenes for split in ('train', 'test'))

    def segmenters_done() -> int:
        return sum(exp.segmenter_iters if osp.isfile(osp.join(
            folder, 'segmenter.json')) else min(
                _last_iter(osp.join(folder, '*', '*.log')),
                exp.segmenter_iters) for folder in seg_dirs)

    def runs_done() -> int:
        return sum(exp.iters if osp.isfile(osp.join(folder, 'result.json'))
                   else min(_last_iter(osp.join(folder, 'run.log')),
                            exp.iters) for folder in run_dirs)

    return [('toy scenes', num_scenes, scenes_done),
            (f'{len(seg_dirs)} toy segmenters (iterations)',
             len(seg_dirs) * exp.segmenter_iters, segmenters_done),
            (f'{len(run_dirs)} GAN runs (iterations)',
             len(run_dirs) * exp.iters, runs_done)]


class StageProgress:
    """Progress bars of :func:`demo_stages`, drawn on ``console`` from a
    thread every ``interval`` seconds; a stage's bar closes when the next
    stage starts (or at :meth:`stop`).

    Args:
        exp (ToyExperiment): The demo's experiment.
        console (IO[str]): Where to draw.
        interval (float): Seconds between looks. Defaults to 1.
    """

    def __init__(self, exp: ToyExperiment, console: IO[str],
                 interval: float = 1.0) -> None:
        self.stages = demo_stages(exp)
        self.console, self.interval = console, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> 'StageProgress':
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def stop(self) -> None:
        """Draw the last state and close the bars."""
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        from tqdm import tqdm
        index, bar = 0, None
        while True:
            final = self._stop.is_set()
            while index < len(self.stages):
                name, total, done = self.stages[index]
                if bar is None:
                    bar = tqdm(total=total, desc=name, file=self.console,
                               dynamic_ncols=True, mininterval=0,
                               bar_format='{desc}: {percentage:3.0f}%|{bar}'
                               '| {n}/{total} [{elapsed}]')
                count = done()
                bar.update(count - bar.n)
                # a stage is over when it is complete or the next began
                following = self.stages[index + 1][2]() if \
                    index + 1 < len(self.stages) else 0
                if count < total and not following and not final:
                    break
                bar.close()
                bar, index = None, index + 1
            if final:
                return
            self._stop.wait(self.interval)


__all__ = ['quiet_console', 'StageProgress', 'demo_stages']
