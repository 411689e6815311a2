# Copyright (c) mmadvseg contributors. All rights reserved.
"""What the runs of a toy experiment share, made before them: the scenes,
the three segmenters (guide, evaluation, judge) and the FID Inception
weights."""
import os
import os.path as osp
from typing import Any, Dict, Optional

from ..utils.config import repo_config
from .protocol import ToyExperiment
from .segmenter import (
    EVAL_CONFIG,
    GUIDE_CONFIG,
    JUDGE_CONFIG,
    SECOND_JUDGE_CONFIG,
    load_segmenter_report,
    train_toy_segmenter,
    weights_digest,
)


def _train_segmenter(job: Dict[str, Any]) -> str:
    """Train (or reuse) one segmenter of :func:`prepare_segmenters`, in a
    worker of its pool; its checkpoint."""
    return train_toy_segmenter(**job)


def prepare_segmenters(exp: ToyExperiment) -> Dict[str, Dict[str, Any]]:
    """Generate the scenes; train (or reuse) the guide, the evaluation
    segmenter and the judge (and with ``exp.second_judge`` a second judge),
    ``exp.jobs`` at a time.

    Returns:
        dict: ``{role: {config, checkpoint, report, weights}}`` for
        ``guide``, ``eval``, ``judge`` (and ``judge2``) (``weights``: the
        digest of their state dict, the same whenever the same settings
        trained it).
    """
    from ..utils.parallel import run_parallel
    seg_root = osp.join(exp.work_dir, f'seg_{exp.scenes.color_mode}')
    scenes = exp.scenes.ensure(exp.jobs)  # before the workers need them
    judge_scenes = exp.judge_scenes.ensure(exp.jobs)
    roles = (('guide', GUIDE_CONFIG, scenes), ('eval', EVAL_CONFIG, scenes),
             ('judge', JUDGE_CONFIG, judge_scenes))
    if exp.second_judge:
        roles += (('judge2', SECOND_JUDGE_CONFIG, judge_scenes), )
    jobs = [
        dict(work_dir=osp.join(seg_root,
                               osp.splitext(osp.basename(config))[0]),
             scenes=data, config=config, iters=exp.segmenter_iters,
             num_workers=0, force=exp.force_segmenters,
             test_scenes=scenes, record_dir=exp.segmenter_record_dir)
        for _, config, data in roles
    ]
    checkpoints = run_parallel(_train_segmenter, jobs, nproc=exp.jobs,
                               desc='toy segmenters', progress=False)
    return {
        role: dict(config=repo_config(config), checkpoint=ckpt,
                   report=load_segmenter_report(job['work_dir']),
                   weights=weights_digest(ckpt))
        for (role, config, _), job, ckpt in zip(roles, jobs, checkpoints)
    }


def prepare_inception(work_dir: str, inception: Optional[str]) -> tuple:
    """A ``TORCH_HOME`` holding FID Inception weights, and a note saying
    whether they are the real ones."""
    from ..evaluation.inception import (
        FID_WEIGHTS_NAME,
        resolve_inception_weights,
    )
    from ..evaluation.random_inception import save_random_inception_weights
    from ..utils.weights import WeightsNotFoundError
    if inception is None:
        try:
            inception = resolve_inception_weights()
        except WeightsNotFoundError:
            inception = None
    torch_home = osp.join(work_dir, 'torch_home')
    target = osp.join(torch_home, 'hub', 'checkpoints', FID_WEIGHTS_NAME)
    os.makedirs(osp.dirname(target), exist_ok=True)
    if inception is not None:
        # link the real file, replacing random weights or a stale link
        if not (osp.islink(target)
                and osp.realpath(target) == osp.realpath(inception)):
            if osp.lexists(target):
                os.remove(target)
            os.symlink(osp.abspath(inception), target)
        return torch_home, 'FID Inception weights ' + inception
    if osp.islink(target):  # never write random weights through a link
        os.remove(target)
    if not osp.exists(target):
        save_random_inception_weights(target)
    return torch_home, ('RANDOM-weight Inception (real weights unavailable '
                        'offline): KID compares runs only')


__all__ = ['prepare_segmenters', 'prepare_inception']
