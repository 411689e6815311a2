# Copyright (c) mmadvseg contributors. All rights reserved.
from mmadvseg.utils import parallel
from mmadvseg.utils.parallel import run_parallel


def _square(x):
    return x * x


def test_run_parallel_keeps_order():
    seen = []
    out = run_parallel(_square, list(range(20)), nproc=2, progress=False,
                       on_result=seen.append)
    assert out == seen == [x * x for x in range(20)]
    assert run_parallel(_square, [3], nproc=4, progress=False) == [9]
    assert parallel._WORKER_FN is None  # the parent process is untouched
