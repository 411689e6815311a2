# Copyright (c) mmadvseg contributors. All rights reserved.
"""Time one training step of the baseline and of each AdvSegLoss variant.

For AdvSegPix2Pix (or AdvSegCycleGAN) built from the project's configs with
the Mask2Former R50 segmenter (random weights: timing does not depend on
them) at 256x256, batch 1, it prints per variant:

- the whole step, and its parts: the segmenter's forward on the fakes (with
  a graph), its forward on the reals (no graph), the backward through it
  (measured on its own), and the rest (generators + discriminators);
- peak memory (RSS on CPU, max allocated on CUDA), each variant in its own
  process;
- ``ratio = variant step / (baseline step + segmenter floor)``, where the
  floor is one forward + backward on the fakes and one no-grad forward on
  the reals: the least any implementation must add. Target: <= 1.15. The
  baseline step and the floor are timed in the variant's process, right
  before and after each variant step (the segmentation terms switched
  off), so that a busy machine slows both sides alike.
- the segmentation discriminators' own work, timed the same way (in the
  discriminator step a forward on a real and a fake map and the backward
  to their weights, in the generator step a forward on a fake map and the
  backward to the map), and ``ratio incl. seg Ds = variant step /
  (baseline step + segmenter floor + seg Ds)``: 1.0 means no work beyond
  the segmenter and the discriminators the method needs.

Usage::

    python tools/analysis/benchmark_train_step.py [--model pix2pix]
        [--device cpu|cuda] [--repeats 3] [--json out.json]
    python tools/analysis/benchmark_train_step.py --short   # CI smoke run
"""
import argparse
import json
import multiprocessing as mp
import os.path as osp
import resource
import statistics
import time
from contextlib import contextmanager

VARIANTS = ('baseline', 'multiclass', 'binary', 'both')
CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs', '_base_',
                      'models')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', choices=['pix2pix', 'cyclegan'],
                        default='pix2pix')
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--repeats', type=int, default=3,
                        help='timed steps per variant (after one warm-up)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=0,
                        help='torch threads (0: torch default)')
    parser.add_argument(
        '--short',
        action='store_true',
        help='CI smoke run: tiny models at 64x64, one timed step')
    parser.add_argument('--json', help='also write the results here')
    return parser.parse_args()


def _sync(device: str) -> None:
    import torch
    if device.startswith('cuda'):
        torch.cuda.synchronize()


@contextmanager
def _timer(device: str, out: list):
    _sync(device)
    start = time.perf_counter()
    yield
    _sync(device)
    out.append(time.perf_counter() - start)


def build_model(args: argparse.Namespace, variant: str):
    """The config's model (or the tiny one in short mode) on the device."""
    import torch
    from mmagic.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmadvseg.models  # noqa: F401  (registers the models)
    from mmadvseg.testing import tiny_segmenter_cfg, tiny_translation_cfg
    init_default_scope('mmagic')
    paired = args.model == 'pix2pix'
    if args.short:
        adv_seg = None
        if variant != 'baseline':
            adv_seg = dict(segmenter=tiny_segmenter_cfg(), variant=variant)
            if not paired:
                adv_seg['loss'] = dict(gan_type='lsgan')
        cfg = tiny_translation_cfg(
            'AdvSegPix2Pix' if paired else 'AdvSegCycleGAN', adv_seg)
    else:
        name = (f'advseg_{args.model}.py' if variant != 'baseline' else
                f'{args.model}_resnet9.py')
        cfg = Config.fromfile(osp.join(CONFIG_DIR, name)).model
        if variant != 'baseline':
            cfg.adv_seg.variant = variant
            cfg.adv_seg.segmenter.checkpoint = None
            cfg.adv_seg.segmenter.allow_random_init = True
    torch.manual_seed(0)
    model = MODELS.build(cfg).to(args.device)
    model.init_weights()
    return model


def _batch(args: argparse.Namespace):
    import torch
    from mmagic.structures import DataSample
    gen = torch.Generator().manual_seed(0)
    shape = (3, args.size, args.size)
    return dict(
        inputs=dict(
            img_sketch=[torch.randint(0, 256, shape, generator=gen).float()],
            img_photo=[torch.randint(0, 256, shape, generator=gen).float()]),
        data_samples=[DataSample()])


def _optim_wrapper(model):
    import torch
    from mmengine.optim import OptimWrapper, OptimWrapperDict
    return OptimWrapperDict(**{
        name: OptimWrapper(
            torch.optim.Adam(
                getattr(model, name).parameters(),
                lr=2e-4,
                betas=(0.5, 0.999)))
        for name in ('generators', 'discriminators')
    })


def _peak_memory_mb(device: str) -> float:
    import torch
    if device.startswith('cuda'):
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_variant(args: argparse.Namespace, variant: str) -> dict:
    """Time ``train_step`` of one variant (run in its own process).

    For an AdvSegLoss variant, every repeat times, back to back in this
    process, a step with the segmentation terms switched off (the baseline
    under the same machine load), a full step, and the segmenter floor, so
    that the ratio compares like with like even on a busy machine.
    """
    import torch
    from mmengine import MessageHub
    if args.threads:
        torch.set_num_threads(args.threads)
    model = build_model(args, variant)
    batch, wrapper = _batch(args), _optim_wrapper(model)
    hub = MessageHub.get_current_instance()
    steps, base_steps, seg_grad, seg_nograd = [], [], [], []
    floors, seg_bwd, seg_discs = [], [], []
    segmenter = model.segmenter
    terms = list(model.adv_seg_terms)
    if segmenter is not None:
        forward = segmenter.forward

        def timed_forward(inputs, hard=False):
            out = seg_grad if torch.is_grad_enabled() else seg_nograd
            with _timer(args.device, out):
                return forward(inputs, hard)

    for it in range(args.repeats + 1):
        hub.update_info('iter', it)
        if segmenter is not None:
            model.adv_seg_terms = []
            with _timer(args.device, base_steps):
                model.train_step(batch, wrapper)
            model.adv_seg_terms = terms
            segmenter.forward = timed_forward
        with _timer(args.device, steps):
            model.train_step(batch, wrapper)
        if segmenter is not None:
            segmenter.forward = forward
            floor = _segmenter_floor(args, forward)
            floors.append(floor['floor'])
            seg_bwd.append(floor['seg_bwd'])
            seg_discs.append(_seg_discriminators_work(args, model))
    result = dict(variant=variant, step=statistics.median(steps[1:]))
    if segmenter is not None:
        result.update(
            baseline_step=statistics.median(base_steps[1:]),
            seg_fwd_fake=statistics.median(seg_grad[1:]),
            seg_fwd_real=statistics.median(seg_nograd[1:]),
            seg_bwd=statistics.median(seg_bwd[1:]),
            floor=statistics.median(floors[1:]),
            seg_discs=statistics.median(seg_discs[1:]))
    result['peak_mem_mb'] = _peak_memory_mb(args.device)
    return result


def _segmenter_floor(args, forward) -> dict:
    """The least segmenter work per step: forward + backward to the input
    on a fake, no-grad forward on a real."""
    import torch
    fwd, bwd, real = [], [], []
    fake = torch.rand(1, 3, args.size, args.size, device=args.device)
    fake.requires_grad_(True)
    with _timer(args.device, fwd):
        maps = forward(fake * 2 - 1)
    with _timer(args.device, bwd):
        (maps.probs.mean() + maps.binary.mean()).backward()
    with torch.no_grad(), _timer(args.device, real):
        forward(torch.rand_like(fake) * 2 - 1)
    return dict(seg_bwd=bwd[0], floor=fwd[0] + bwd[0] + real[0])


def _seg_discriminators_work(args: argparse.Namespace, model) -> float:
    """Seconds the segmentation discriminators need per training step:
    forward on a real and a (detached) fake map + backward to their weights
    (discriminator step), forward on a fake map + backward to the map
    (generator step)."""
    import torch
    times = []
    for key, kind, _ in model.adv_seg_terms:
        disc = model.discriminators[f'advseg_{key}']
        channels = disc.seg_channels
        shape = (1, channels, args.size, args.size)
        real = torch.rand(shape, device=args.device).softmax(1)
        fake = torch.rand(shape, device=args.device).softmax(1)
        fake.requires_grad_(True)
        condition = None
        if disc.condition_channels:
            condition = torch.rand(1, disc.condition_channels, args.size,
                                   args.size, device=args.device) * 2 - 1
        params = list(disc.parameters())
        flags = [param.requires_grad for param in params]
        for param in params:
            param.requires_grad_(True)
        with _timer(args.device, times):
            loss = disc(real, condition).mean() + disc(fake.detach(),
                                                       condition).mean()
            loss.backward()
            for param in params:
                param.requires_grad_(False)
            disc(fake, condition).mean().backward()
        for param, flag in zip(params, flags):
            param.requires_grad_(flag)
            param.grad = None
    return sum(times)


def _run_isolated(args: argparse.Namespace, variant: str) -> dict:
    ctx = mp.get_context('spawn')
    with ctx.Pool(1) as pool:
        return pool.apply(bench_variant, (args, variant))


def format_table(results: list, args: argparse.Namespace) -> str:
    lines = [
        f'{args.model}, {args.size}x{args.size}, batch 1, {args.device}, '
        f'median of {args.repeats} step(s)', '',
        '| variant | step (s) | baseline step, same process (s) | '
        'G+Ds (s) | seg fwd fake (s) | seg bwd (s) | seg fwd real (s) | '
        'floor (s) | seg Ds (s) | peak mem (MB) | ratio | '
        'ratio incl. seg Ds |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|'
    ]
    for r in results:
        if r['variant'] == 'baseline':
            lines.append(f"| baseline | {r['step']:.2f} | - | "
                         f"{r['step']:.2f} | - | - | - | - | - | "
                         f"{r['peak_mem_mb']:.0f} | - | - |")
            continue
        seg = r['seg_fwd_fake'] + r['seg_bwd'] + r['seg_fwd_real']
        r['ratio'] = r['step'] / (r['baseline_step'] + r['floor'])
        r['ratio_incl_seg_discs'] = r['step'] / (
            r['baseline_step'] + r['floor'] + r['seg_discs'])
        lines.append(
            f"| {r['variant']} | {r['step']:.2f} | "
            f"{r['baseline_step']:.2f} | {r['step'] - seg:.2f} | "
            f"{r['seg_fwd_fake']:.2f} | {r['seg_bwd']:.2f} | "
            f"{r['seg_fwd_real']:.2f} | {r['floor']:.2f} | "
            f"{r['seg_discs']:.2f} | {r['peak_mem_mb']:.0f} | "
            f"{r['ratio']:.3f} | {r['ratio_incl_seg_discs']:.3f} |")
    return '\n'.join(lines)


def main() -> None:
    args = parse_args()
    if args.short:
        args.size, args.repeats = 64, 1
    results = [_run_isolated(args, variant) for variant in VARIANTS]
    print(format_table(results, args))
    variants = [r for r in results if 'ratio' in r]
    worst = max(r['ratio'] for r in variants)
    worst_all = max(r['ratio_incl_seg_discs'] for r in variants)
    print(f'\nworst ratio {worst:.3f} (target <= 1.15); worst ratio incl. '
          f'seg Ds {worst_all:.3f}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(args=vars(args), results=results), f, indent=2)


if __name__ == '__main__':
    main()
