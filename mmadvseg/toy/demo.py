# Copyright (c) mmadvseg contributors. All rights reserved.
"""The offline demo: AdvSegLoss vs baseline on toy scenes, in small.

The toy experiment (:mod:`.experiment`) with one model (Pix2Pix), two arms
(baseline, *both*) and one seed, followed by a picture per arm: sketch |
generated | real | segmentation of generated | of real, for the first test
scenes, segmented by the evaluation segmenter. The generated images are
those of :class:`~mmadvseg.apis.Colorizer` (and ``tools/colorize.py``) for
the run with seed :data:`GRID_SEED`. :func:`save_arm_grid` draws any
experiment's arms of a seed side by side the same way.
"""
import contextlib
import json
import os
import os.path as osp
from typing import Any, Dict, List

import numpy as np

from ..datasets.layouts import paired_path
from ..utils.config import CONFIGS_DIR
from .experiment import run_experiment
from .protocol import Arm, ToyExperiment, run_name
from .run import SPEC_NAME
from .scenes import ToyScenes

#: The dropout seed of the demo's grids.
GRID_SEED = 0
#: The columns of the demo's grids.
GRID_CAPTIONS = ('sketch', 'generated', 'real', 'seg(generated)',
                 'seg(real)')


def demo_experiment(work_dir: str = 'work_dirs/demo',
                    iters: int = 100,
                    segmenter_iters: int = 400,
                    **scene_settings: Any) -> ToyExperiment:
    """The demo's experiment settings.

    Args:
        work_dir (str): Output folder. Defaults to 'work_dirs/demo'.
        iters (int): GAN training iterations per arm. Defaults to 100.
        segmenter_iters (int): Training iterations of each segmenter.
            Defaults to 400.
        **scene_settings: :class:`ToyScenes` fields (``num_train`` ...);
            the others take the toy defaults.

    Returns:
        ToyExperiment: The settings.
    """
    return ToyExperiment(
        work_dir=work_dir,
        arms=(Arm('pix2pix', 'baseline'), Arm('pix2pix', 'both')),
        seeds=(0, ), iters=iters, segmenter_iters=segmenter_iters, jobs=2,
        grad_norm_interval=0, scenes=ToyScenes(**scene_settings))


def demo_model(work_dir: str = 'work_dirs/demo') -> str:
    """The model ``make demo`` trains (its AdvSegLoss Pix2Pix run), which
    the web demo serves by default; a relative ``work_dir`` is looked for
    in the current folder, then in the source checkout (where ``make
    demo`` writes it), so any working folder finds it.

    Args:
        work_dir (str): The demo's work dir. Defaults to 'work_dirs/demo'.

    Returns:
        str: The run's training work dir.

    Raises:
        FileNotFoundError: It is not trained yet (the message says how).
    """
    exp = demo_experiment(work_dir)
    arm = next(arm for arm in exp.arms if arm.variant == 'both')
    # the experiment makes its work dir absolute (from the current folder)
    run = osp.relpath(osp.join(exp.runs_dir, arm.run_name(exp.seeds[0])),
                      exp.work_dir)
    repo = osp.dirname(CONFIGS_DIR)
    places = [osp.join(exp.work_dir, run)]
    if not osp.isabs(work_dir):
        places.append(osp.join(repo, work_dir, run))
    for run_dir in places:
        if osp.isfile(osp.join(run_dir, 'last_checkpoint')):
            return run_dir
    raise FileNotFoundError(
        f'no model given, and the toy demo model is not in {places[-1]}: '
        f'run `make demo` in {repo} to train it (about 10 minutes on a '
        'CPU), or pass a training WORK_DIR, CONFIG CHECKPOINT or MODEL.onnx')


def save_grids(exp: ToyExperiment, runs: List[Dict[str, Any]],
               num_images: int = 8) -> List[str]:
    """Colorize the first test sketches with each trained model, as
    :class:`~mmadvseg.apis.Colorizer` does with seed :data:`GRID_SEED`,
    and draw them beside the real scenes and the evaluation segmenter's
    view of both.

    Args:
        exp (ToyExperiment): The experiment.
        runs (list[dict]): Its finished runs (``results['runs']``).
        num_images (int): Rows of each grid. Defaults to 8.

    Returns:
        list[str]: The written ``grid_<variant>.png`` files.
    """
    from ..apis import Colorizer
    from ..datasets.layouts import atomic_imwrite
    from ..visualization import SegmentationView, translation_grid
    from .classes import TOY_METAINFO

    sketches, reals = _test_scenes(exp.scenes.root, num_images)
    paths, judge = [], None
    for run in runs:
        run_dir = osp.join(exp.runs_dir,
                           run_name(run['model'], run['arm'], run['seed']))
        if judge is None:
            with open(osp.join(run_dir, SPEC_NAME)) as f:
                segmenter = json.load(f)['segmenters']['eval']
            judge = SegmentationView(
                dict(type='FrozenPanopticSegmenter', **segmenter))
        fakes = Colorizer(run_dir)(list(sketches), seed=GRID_SEED,
                                   show_progress=False)['predictions']
        path = osp.join(exp.work_dir, f'grid_{run["variant"]}.png')
        atomic_imwrite(path, translation_grid(
            sketches, fakes, reals, lambda img: judge(img)[0],
            TOY_METAINFO['palette'], captions=GRID_CAPTIONS))
        paths.append(path)
    return paths


def save_arm_grid(exp: ToyExperiment, seed: int,
                  num_images: int = 8) -> str:
    """Colorize the first test sketches of the runs' scenes with every
    arm's model of ``seed`` (as :func:`save_grids` does), side by side:
    sketch | one column per arm | real, written to
    ``<work_dir>/grid_seed<seed>.png``.

    Args:
        exp (ToyExperiment): The experiment; its runs of ``seed`` must be
            trained in its work dir (a record alone has no weights).
        seed (int): The seed whose runs are drawn.
        num_images (int): Rows of the grid. Defaults to 8.

    Returns:
        str: The written picture.

    Raises:
        FileNotFoundError: A run has no checkpoint (the message names it
            and the command that trains it).
    """
    from ..apis import Colorizer
    from ..datasets.layouts import atomic_imwrite
    from ..visualization import column_grid

    run_dirs = [osp.join(exp.runs_dir, arm.run_name(seed))
                for arm in exp.arms]
    for run_dir in run_dirs:
        if not osp.isfile(osp.join(run_dir, 'last_checkpoint')):
            raise FileNotFoundError(
                f'{run_dir} has no checkpoint: train the grid in this work '
                'dir first (the same command without --collect-only; '
                'recorded runs keep no weights)')
    with open(osp.join(run_dirs[0], SPEC_NAME)) as f:
        data_root = json.load(f)['data_root']  # the scenes it trained on
    sketches, reals = _test_scenes(data_root, num_images)
    fakes = [Colorizer(run_dir)(list(sketches), seed=GRID_SEED,
                                show_progress=False)['predictions']
             for run_dir in run_dirs]
    path = osp.join(exp.work_dir, f'grid_seed{seed}.png')
    atomic_imwrite(path, column_grid(
        [sketches, *fakes, reals],
        ['sketch', *(arm.name for arm in exp.arms), 'real']))
    return path


def _test_scenes(root: str, num_images: int) -> tuple:
    """The first ``num_images`` test sketches of the scenes in ``root``
    and their real scenes."""
    from ..apis import load_image
    names = sorted(os.listdir(osp.dirname(paired_path(root, 'test', 'x'))))
    pairs = [load_image(paired_path(root, 'test', osp.splitext(name)[0]))
             for name in names[:num_images]]
    return tuple(zip(*(np.hsplit(pair, 2) for pair in pairs)))


def run_demo(exp: ToyExperiment, verbose: bool = False) -> str:
    """Run the demo experiment, draw its grids; return what to print.

    Quiet unless ``verbose``: the console shows a progress bar per stage
    (:mod:`.demo_console`), the stages' logs go to ``<work_dir>/demo.log``.

    Args:
        exp (ToyExperiment): From :func:`demo_experiment`.
        verbose (bool): Print the stages' logs instead. Defaults to False.

    Returns:
        str: The results table and where to look.

    Raises:
        RuntimeError: A run failed (its log is named).
    """
    from .demo_console import StageProgress, quiet_console
    log_file = osp.join(exp.work_dir, 'demo.log')
    with contextlib.ExitStack() as stack:
        if not verbose:
            console = stack.enter_context(quiet_console(log_file))
            print(f'The toy demo: scenes, 3 toy segmenters, Pix2Pix with '
                  f'and without AdvSegLoss; full log: {log_file} '
                  '(--verbose prints it here)', file=console, flush=True)
            with StageProgress(exp, console):
                results = run_experiment(exp)
        else:
            results = run_experiment(exp)
        failed = results['info']['failed_runs']
        if failed:
            raise RuntimeError('Demo runs failed (see run.log in each): ' +
                               ', '.join(failed))
        grids = save_grids(exp, results['runs'])
    summary = results['markdown'].split('\n## ')[0].rstrip()
    return (summary + '\n\nDemo finished. Look at:\n  ' +
            '\n  '.join(grids) +
            '\n'
            f'  {osp.join(exp.work_dir, "results.md")}: all the tables\n'
            f'The toy model: {demo_model(exp.work_dir)}\n'
            'Colorize with it: README.md, "Colorize your own sketches"\n'
            'Full experiment: python tools/analysis/toy_benchmark.py')


__all__ = [
    'demo_experiment', 'demo_model', 'save_grids', 'save_arm_grid',
    'run_demo', 'GRID_SEED', 'GRID_CAPTIONS'
]
