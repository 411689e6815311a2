# Copyright (c) mmadvseg contributors. All rights reserved.
"""The offline demo: AdvSegLoss vs baseline on toy scenes, in small.

The toy experiment (:mod:`.experiment`) with one model (Pix2Pix), two arms
(baseline, *both*) and one seed, followed by a picture per arm: sketch |
generated | real | segmentation of generated | of real, for the first test
scenes, segmented by the evaluation segmenter.
"""
import json
import os.path as osp
from typing import Any, Dict, List

from .experiment import Arm, ToyExperiment, run_experiment
from .run import SPEC_NAME, build_run_cfg
from .scenes import ToyScenes


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


def save_grids(exp: ToyExperiment, runs: List[Dict[str, Any]],
               num_images: int = 8) -> List[str]:
    """Translate the first test scenes with each trained model.

    Args:
        exp (ToyExperiment): The experiment.
        runs (list[dict]): Its finished runs (``results['runs']``).
        num_images (int): Rows of each grid. Defaults to 8.

    Returns:
        list[str]: The written ``grid_<variant>.png`` files.
    """
    import cv2
    import torch
    from mmagic.registry import MODELS
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner, load_checkpoint

    from ..models.segmenters import FrozenPanopticSegmenter
    from ..visualization import translation_grid
    from .classes import TOY_METAINFO

    paths, judge = [], None
    for run in runs:
        run_dir = osp.join(exp.runs_dir,
                           f'{run["model"]}_{run["arm"]}_seed{run["seed"]}')
        with open(osp.join(run_dir, SPEC_NAME)) as f:
            spec = json.load(f)
        cfg = build_run_cfg(spec)
        if judge is None:
            judge = FrozenPanopticSegmenter(**spec['segmenters']['eval'])
        init_default_scope('mmagic')
        model = MODELS.build(cfg.model)
        load_checkpoint(model, osp.join(run_dir, f'iter_{run["iters"]}.pth'),
                        strict=True)
        batch = next(iter(Runner.build_dataloader(cfg.test_dataloader)))
        with torch.no_grad():
            inputs = model.data_preprocessor(batch)['inputs']
            sketch = inputs['img_sketch'][:num_images]
            real = inputs['img_photo'][:num_images]
            fake = model.forward_test(sketch, target_domain='photo')['target']
        path = osp.join(exp.work_dir, f'grid_{run["variant"]}.png')
        cv2.imwrite(path, translation_grid(sketch, fake, real, judge,
                                           TOY_METAINFO['palette']))
        paths.append(path)
    return paths


def run_demo(exp: ToyExperiment) -> str:
    """Run the demo experiment, draw its grids; return what to print.

    Args:
        exp (ToyExperiment): From :func:`demo_experiment`.

    Returns:
        str: The results table and where to look.

    Raises:
        RuntimeError: A run failed (its log is named).
    """
    results = run_experiment(exp)
    failed = results['info']['failed_runs']
    if failed:
        raise RuntimeError('Demo runs failed (see run.log in each): ' +
                           ', '.join(failed))
    grids = save_grids(exp, results['runs'])
    return (results['markdown'] + '\nDemo finished. Look at:\n  ' +
            '\n  '.join(grids) +
            '\n  (sketch | generated | real | seg(generated) | seg(real))\n'
            f'  {osp.join(exp.work_dir, "results.md")} / results.json\n'
            'Full experiment: python tools/analysis/toy_benchmark.py\n'
            'Real data: build a dataset with tools/dataset_converters/, '
            'then e.g.\n'
            '  python tools/train.py configs/advseg/pix2pix_both_sheep.py')


__all__ = ['demo_experiment', 'save_grids', 'run_demo']
