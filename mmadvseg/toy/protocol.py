# Copyright (c) mmadvseg contributors. All rights reserved.
"""The settings of a toy experiment: its arms (:class:`Arm`), the whole
experiment (:class:`ToyExperiment`) and protocol files
(:func:`load_protocol`), plus the one place a run's folder is named
(:func:`run_name`)."""
import os.path as osp
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence, Union

from ..utils.config import CONFIGS_DIR
from .scenes import ToyScenes

#: The translation models of the toy experiment and their variants (the
#: ``configs/toy/<model>_<variant>_toy.py`` leaves).
TOY_GANS = ('pix2pix', 'cyclegan')
TOY_VARIANTS = ('baseline', 'multiclass', 'binary', 'both', 'consistency',
                'semcycle', 'joint')
#: Variants for paired data only (no CycleGAN leaf).
PAIRED_ONLY_VARIANTS = ('consistency', )
#: Variants for unpaired data only (no Pix2Pix leaf): the semantic cycle
#: loss and the joint (sketch, map) seg discriminators.
UNPAIRED_ONLY_VARIANTS = ('semcycle', 'joint')
#: Where the protocols' finished runs are recorded (relative to the
#: repository root), kept with the code.
RECORDS_DIR = osp.join('results', 'toy')


@dataclass(frozen=True)
class Arm:
    """One arm of the experiment.

    Args:
        model (str): ``'pix2pix'`` or ``'cyclegan'``.
        variant (str): One of :data:`TOY_VARIANTS` the model has (the
            ``configs/toy/<model>_<variant>_toy.py`` leaf).
        overrides (dict): Config options on top of the leaf, e.g.
            ``{'model.adv_seg.map_mode': 'hard'}``.
        name (str, optional): Name in the runs and the tables; default the
            variant followed by the overrides' last key parts and values.
    """
    model: str
    variant: str
    overrides: Dict[str, Any] = field(default_factory=dict)
    name: Optional[str] = None

    def __post_init__(self) -> None:
        if self.model not in TOY_GANS or self.variant not in \
                _model_variants(self.model):
            raise ValueError(f'unknown arm {self.model}/{self.variant}; '
                             f'models {TOY_GANS}, variants {TOY_VARIANTS}')
        if self.name is None:
            tag = ''.join(f'_{k.split(".")[-1]}{v}'
                          for k, v in sorted(self.overrides.items()))
            object.__setattr__(self, 'name', self.variant + tag)

    def run_name(self, seed: int) -> str:
        """Folder of the run of ``seed``, e.g. ``cyclegan_both_seed0``."""
        return run_name(self.model, self.name, seed)


def run_name(model: str, arm: str, seed: int) -> str:
    """The folder (and record) name of a run, e.g. ``cyclegan_both_seed0``.

    Args:
        model (str): ``'pix2pix'`` or ``'cyclegan'``.
        arm (str): The arm's name (:attr:`Arm.name`).
        seed (int): The training seed.
    """
    return f'{model}_{arm}_seed{seed}'


def _model_variants(model: str) -> Sequence[str]:
    """The variants ``model`` has a toy leaf for."""
    only = UNPAIRED_ONLY_VARIANTS if model == 'pix2pix' else \
        PAIRED_ONLY_VARIANTS
    return [v for v in TOY_VARIANTS if v not in only]


def grid_arms(models: Sequence[str] = TOY_GANS,
              variants: Sequence[str] = TOY_VARIANTS,
              overrides: Optional[Dict[str, Any]] = None) -> List[Arm]:
    """Every model x variant it has (paired-only variants with Pix2Pix
    only, unpaired-only ones with CycleGAN only); ``overrides`` apply to
    the AdvSegLoss arms, not to the baselines."""
    return [
        Arm(m, v, {} if v == 'baseline' else dict(overrides or {}))
        for m in models for v in variants if v in _model_variants(m)
    ]


@dataclass(frozen=True)
class ToyExperiment:
    """The settings of a toy experiment.

    Args:
        work_dir (str): Output folder (data, segmenters, runs, results).
        arms (Sequence[Arm]): The arms (default :func:`grid_arms`).
        seeds (Sequence[int]): Training seeds; every arm of a seed starts
            from the same weights and sees the data in the same order.
        iters (int | dict): GAN training iterations per run (constant
            learning rate for the first half, linear decay to 0 over the
            second), or a dict of them per model.
        batch_size (int): GAN batch size.
        scenes (ToyScenes): The toy data; its root is replaced by
            ``work_dir/data_<color_mode>``.
        segmenter_iters (int): Training iterations of each segmenter.
        judge_scene_seed (int, optional): Seed of the judge's training
            scenes (default: the scenes' seed + 1), never the guide's.
        second_judge (bool): Also train a second judge (the judge's
            recipe and scenes, another training seed) and score every run
            with it too (metrics ``Judge2/...``).
        val_interval (int): Validate every so many iterations for the
            curves (0: once, after training).
        grad_norm_interval (int): Log the generator terms' gradient norms
            every so many iterations (0: never).
        jobs (int): Runs in parallel (single-threaded subprocesses).
        primary_metric (str): The metric the comparisons are about
            (``<key>@last<k>``: the mean of the last ``k`` validations).
        comparisons (int, optional): The family of comparisons that
            Bonferroni and Holm correct for (a protocol's over all its
            grids); default: this experiment's AdvSegLoss arms.
        results_name (str): Stem of the results files in ``work_dir``
            (a protocol's: ``results_<protocol file stem>``).
        record_dir (str, optional): A folder kept with the code (relative
            paths: to the repository root) where every finished run's
            result is also written, as ``<run name>.json``; a run recorded
            there with the same settings is not trained again, so a grid
            goes on from a fresh checkout and ``collect_only`` tabulates
            it.
        segmenter_record_dir (str, optional): A folder kept with the code
            (relative paths: to the repository root) where the trained
            segmenters are recorded and taken from (``record_dir`` of
            :func:`~mmadvseg.toy.segmenter.train_toy_segmenter`), so the
            runs of a grid continued on another machine are scored by the
            same segmenters.
        inception (str, optional): FID Inception weight file.
        force_segmenters (bool): Retrain the segmenters.
        rerun (bool): Redo finished runs.
        collect_only (bool): Train nothing; tabulate the finished runs.
    """
    work_dir: str = 'work_dirs/toy_bench'
    arms: Sequence[Arm] = field(default_factory=grid_arms)
    seeds: Sequence[int] = (0, 1, 2)
    iters: Union[int, Dict[str, int], None] = 400
    batch_size: int = 4
    scenes: ToyScenes = field(default_factory=ToyScenes)
    segmenter_iters: int = 1000
    judge_scene_seed: Optional[int] = None
    second_judge: bool = False
    val_interval: int = 0
    grad_norm_interval: int = 25
    jobs: int = 1
    primary_metric: str = 'Judge/mIoU'
    comparisons: Optional[int] = None
    results_name: str = 'results'
    record_dir: Optional[str] = None
    segmenter_record_dir: Optional[str] = None
    inception: Optional[str] = None
    force_segmenters: bool = False
    rerun: bool = False
    collect_only: bool = False

    def __post_init__(self) -> None:
        work_dir = osp.abspath(self.work_dir)
        object.__setattr__(self, 'work_dir', work_dir)
        for name in ('record_dir', 'segmenter_record_dir'):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, osp.join(
                    osp.dirname(CONFIGS_DIR), getattr(self, name)))
        object.__setattr__(self, 'arms', tuple(
            a if isinstance(a, Arm) else Arm(**a) for a in self.arms))
        object.__setattr__(self, 'scenes', replace(
            self.scenes,
            root=osp.join(work_dir, f'data_{self.scenes.color_mode}')))
        if self.judge_scene_seed is None:
            object.__setattr__(self, 'judge_scene_seed',
                               self.scenes.seed + 1)
        if not self.collect_only and not all(
                isinstance(self.iters_of(arm.model), int)
                for arm in self.arms):
            raise ValueError(f'no schedule for every model: iters='
                             f'{self.iters!r} (a protocol sets it first)')
        if self.judge_scene_seed == self.scenes.seed:
            raise ValueError('the judge must be trained on scenes of '
                             'another seed than the guide')

    def iters_of(self, model: str) -> Optional[int]:
        """The number of GAN iterations of ``model``'s runs."""
        if isinstance(self.iters, dict):
            return self.iters.get(model)
        return self.iters

    @property
    def runs_dir(self) -> str:
        return osp.join(self.work_dir, f'runs_{self.scenes.color_mode}')

    @property
    def judge_scenes(self) -> ToyScenes:
        """The judge's training scenes: another seed, panoptic only."""
        return replace(
            self.scenes, seed=self.judge_scene_seed, layouts=(),
            root=osp.join(self.work_dir,
                          f'data_{self.scenes.color_mode}_judge'))


def load_protocol(path: str, **overrides: Any) -> ToyExperiment:
    """A :class:`ToyExperiment` from a protocol file (an mmengine config
    whose keys are its fields; ``scenes`` a dict of :class:`ToyScenes`
    fields, ``arms`` a list of :class:`Arm` dicts), then ``overrides``.
    A protocol's results are ``results_<file stem>`` and its runs are
    recorded in ``results/toy/<file stem>/``, its segmenters in
    ``results/toy/segmenters/``, unless it says otherwise.

    Args:
        path (str): Protocol file, e.g. ``configs/toy/protocols/...``.
            With ``iters`` a dict, the arms of a model it gives no
            schedule are left out (a protocol can be run model by model).
        **overrides: Fields to set; None values are ignored.

    Returns:
        ToyExperiment: The settings.
    """
    from mmengine.config import Config
    settings = Config.fromfile(path).to_dict()
    settings = {k: v for k, v in settings.items()
                if k in ToyExperiment.__dataclass_fields__}
    if 'scenes' in settings:
        settings['scenes'] = ToyScenes(**settings['scenes'])
    stem = osp.splitext(osp.basename(path))[0]
    settings.setdefault('results_name', 'results_' + stem)
    settings.setdefault('record_dir', osp.join(RECORDS_DIR, stem))
    settings.setdefault('segmenter_record_dir',
                        osp.join(RECORDS_DIR, 'segmenters'))
    settings.update({k: v for k, v in overrides.items() if v is not None})
    iters = settings.get('iters')
    if isinstance(iters, dict):  # a model whose schedule is not set yet
        waiting = sorted({arm['model'] for arm in settings.get('arms', [])
                          if iters.get(arm['model']) is None})
        if waiting:
            print(f'[toy] {path}: no schedule yet for {", ".join(waiting)}'
                  ' (iters); those arms are left out', flush=True)
            settings['arms'] = [arm for arm in settings['arms']
                                if arm['model'] not in waiting]
    return ToyExperiment(**settings)


__all__ = [
    'TOY_GANS', 'TOY_VARIANTS', 'RECORDS_DIR', 'Arm', 'ToyExperiment',
    'grid_arms', 'load_protocol', 'run_name'
]
