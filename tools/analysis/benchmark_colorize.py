# Copyright (c) mmadvseg contributors. All rights reserved.
"""Throughput of colorizing a folder of sketches, against mmagic's path and
against the machine's convolution speed.

    python tools/analysis/benchmark_colorize.py [--num 64] [--sizes 256 512]
        [--devices cpu cuda] [--rounds 4] [--json FILE] [--short]

A folder of ``--num`` toy-scene sketches per size is colorized end to end
(read, translate, write PNGs) by the ResNet-9 generator of
``configs/baselines/cyclegan_sheep.py`` (64 channels, 9 blocks, random
weights: same cost as trained ones), by:

- mmagic: the per-image loop of mmagic 1.2.0's ``TranslationInferencer``
  (``preprocess``: the config's test pipeline built and run on the file,
  collate, data preprocessor; ``forward``: the whole model in test mode;
  ``visualize``: ``torchvision.utils.save_image``), the inferencer module
  itself not being importable without ``controlnet_aux``;
- ours (PyTorch fp32 and bf16, onnxruntime; batch 1 and 8):
  ``Colorizer(...)(files, out_dir=...)`` as ``tools/colorize.py`` runs it
  (bf16: ``--precision bf16``; its colours are compared with fp32's; left
  out on a CPU that emulates bf16, see ``bf16_is_native``).

The methods take turns on slices of the folder (``--rounds``), so a load
change on a shared machine hits them alike; the convolution ceiling is
measured in every round (its best is kept). The generator's FLOPs (one
multiply-add = 2 FLOPs, mmengine's counter) times images per second gives
the achieved GFLOP/s, set beside a plain ``torch.nn.functional.conv2d``
of the residual blocks' shape (3x3, 256 -> 256 channels, 87 % of the
FLOPs), in fp32 and in bf16: the practical ceilings. ``--short``: a
seconds-long CI run (4 images of 64 px).
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys
import tempfile
import time
from typing import Callable, Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch

CONFIG = 'configs/baselines/cyclegan_sheep.py'
TARGET_SPEEDUP, TARGET_CEILING = 2.0, 0.7


def _met(ok: bool) -> str:
    return 'met' if ok else 'not met'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark colorizing')
    parser.add_argument('--num', type=int, default=64,
                        help='sketches per size (default 64)')
    parser.add_argument('--sizes', type=int, nargs='+', default=[256, 512])
    parser.add_argument('--devices', nargs='+', default=None,
                        help='default: cpu, and cuda when present')
    parser.add_argument('--rounds', type=int, default=4,
                        help='slices the methods take turns on')
    parser.add_argument('--json', help='also write the numbers here')
    parser.add_argument('--short', action='store_true',
                        help='CI smoke run: 4 sketches of 64 px')
    args = parser.parse_args(argv)
    if args.short:
        args.num, args.sizes, args.rounds = 4, [64], 2
    if args.devices is None:
        args.devices = ['cpu'] + (['cuda'] if torch.cuda.is_available()
                                  else [])
    return args


def write_model(workdir: str):
    """The config (dumped) and a random-weight checkpoint of the full
    model; returns ``(config path, checkpoint path, Config)``."""
    from mmagic.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmadvseg.models  # noqa: F401
    init_default_scope('mmagic')
    cfg = Config.fromfile(CONFIG)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    checkpoint = osp.join(workdir, 'model.pth')
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    config = osp.join(workdir, 'model.py')
    cfg.dump(config)
    return config, checkpoint, cfg


def write_sketches(folder: str, num: int, size: int,
                   read: bool = False) -> list:
    """``num`` toy test sketches of ``size``² in ``folder``: their paths,
    or the images with ``read``."""
    from mmadvseg.toy import render_scene, scene_rng
    os.makedirs(folder, exist_ok=True)
    paths = []
    for i in range(num):
        path = osp.join(folder, f'{i:04d}.png')
        cv2.imwrite(path, render_scene(scene_rng(0, 'test', i), size,
                                       'distinct').outline)
        paths.append(path)
    return [cv2.imread(p) for p in paths] if read else paths


class MMagicLoop:
    """mmagic 1.2.0 ``TranslationInferencer``'s work for one image (see
    ``mmagic/apis/inferencers/translation_inferencer.py`` and
    ``base_mmagic_inferencer.py``)."""

    def __init__(self, cfg, checkpoint: str, size: int, device: str):
        from mmagic.registry import MODELS
        from mmengine.runner import load_checkpoint
        cfg = copy.deepcopy(cfg)
        for step in cfg.test_pipeline:  # the test resize: to the folder's
            if step.type == 'Resize':
                step.scale = (size, size)
        self.cfg = cfg
        self.model = MODELS.build(cfg.model)
        load_checkpoint(self.model, checkpoint, map_location='cpu',
                        logger='silent')
        self.model.to(device).eval()

    @torch.no_grad()
    def __call__(self, path: str, out_path: str) -> None:
        from mmengine.dataset import Compose
        from mmengine.dataset.utils import default_collate
        from torchvision import utils
        model = self.model
        target = model._default_domain
        source = model.get_other_domains(target)[0]
        pipeline = Compose(self.cfg.test_pipeline)
        data = default_collate([pipeline(dict(
            pair_path=path, img_A_path=path, img_B_path=path))])
        inputs = model.data_preprocessor(data, False)['inputs']
        preds = model(inputs[f'img_{source}'], test_mode=True,
                      target_domain=target)['target']
        os.makedirs(osp.dirname(out_path), exist_ok=True)
        utils.save_image((preds[:, [2, 1, 0]] + 1.) / 2., out_path)


def conv_ceiling(size: int, device: str, dtype: torch.dtype = torch.float32,
                 min_seconds: float = 0.5) -> float:
    """GFLOP/s of the residual blocks' convolution alone (batch 1, in
    ``dtype``), the best of repeated runs lasting ``min_seconds`` in all."""
    x = torch.randn(1, 256, size // 4, size // 4, device=device, dtype=dtype)
    w = torch.randn(256, 256, 3, 3, device=device, dtype=dtype) * 0.01
    flops = 2 * 256 * 256 * 9 * (size // 4)**2
    times: List[float] = []
    with torch.no_grad():
        torch.nn.functional.conv2d(x, w, padding=1)  # warm-up
        while len(times) < 3 or sum(times) < min_seconds:
            if device != 'cpu':
                torch.cuda.synchronize()
            start = time.perf_counter()
            torch.nn.functional.conv2d(x, w, padding=1)
            if device != 'cpu':
                torch.cuda.synchronize()
            times.append(time.perf_counter() - start)
    return flops / min(times) / 1e9


def generator_gflops(cfg, size: int) -> float:
    from mmagic.registry import MODELS
    from mmengine.analysis import FlopAnalyzer
    generator = MODELS.build(cfg.model.generator).eval()
    analyzer = FlopAnalyzer(generator, torch.zeros(1, 3, size, size))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return 2 * analyzer.total() / 1e9  # mmengine counts multiply-adds


def bench_size(size: int, device: str, args, workdir: str, files) -> list:
    from mmadvseg.apis import Colorizer
    from mmadvseg.apis.export import export_onnx
    from mmadvseg.apis.torch_backend import bf16_is_native
    config, checkpoint, cfg = files
    paths = write_sketches(osp.join(workdir, f'in_{size}'), args.num, size)
    onnx_file = osp.join(workdir, 'model.onnx')
    if not osp.exists(onnx_file):  # checked at 256² (random weights
        # drift past the 1e-3 check at 512², see docs/benchmarks.md)
        export_onnx(config, checkpoint, onnx_file, sketches=write_sketches(
            osp.join(workdir, 'export'), 1, 256, read=True))
    ours = Colorizer(config, checkpoint, device)
    methods: Dict[str, Callable[[List[str], str], None]] = {}
    mmagic = MMagicLoop(cfg, checkpoint, size, device)
    methods['mmagic (TranslationInferencer loop)'] = lambda chunk, out: [
        mmagic(p, osp.join(out, osp.basename(p))) for p in chunk]
    backends = [('PyTorch', ours)]
    precisions = [('fp32', torch.float32)]
    if bf16_is_native(device):
        backends.append(('PyTorch bf16', Colorizer(config, checkpoint, device,
                                                   'bf16')))
        precisions.append(('bf16', torch.bfloat16))
    else:  # emulated: hours at 256², and no user should run it
        print(f'[{size}² {device}] bf16 left out: emulated on this CPU '
              '(no AVX-512 or AMX)', file=sys.stderr, flush=True)
    if device == 'cpu':
        backends.append(('onnxruntime', Colorizer(onnx_file)))
    for name, colorizer in backends:
        for batch in (1, 8):
            methods[f'ours, {name}, batch {batch}'] = (
                lambda chunk, out, c=colorizer, b=batch: c(
                    chunk, batch_size=b, out_dir=out, seed=0,
                    return_preds=False, show_progress=False,
                    overwrite=True))  # the benchmark's own scratch folders
    seconds = dict.fromkeys(methods, 0.0)
    for method in methods.values():  # warm-up (not timed)
        method(paths[:1], osp.join(workdir, 'warmup'))
    ceiling = dict(fp32=0.0, bf16=0.0)
    for chunk in np.array_split(np.array(paths), args.rounds):
        for precision, dtype in precisions:  # best of rounds
            ceiling[precision] = max(ceiling[precision],
                                     conv_ceiling(size, device, dtype))
        for index, (name, method) in enumerate(methods.items()):
            out = osp.join(workdir, f'out_{size}_{device}_{index}')
            start = time.perf_counter()
            method(list(chunk), out)
            seconds[name] += time.perf_counter() - start
        print(f'[{size}² {device}] round done: ' + ', '.join(
            f'{n.split(" (")[0]} {s:.0f} s' for n, s in seconds.items()),
              file=sys.stderr, flush=True)
    gflops = generator_gflops(cfg, size)
    base = args.num / seconds[next(iter(methods))]
    names = list(methods)
    bf16_error = output_difference(
        *(osp.join(workdir, f'out_{size}_{device}_{names.index(name)}')
          for name in ('ours, PyTorch, batch 1',
                       'ours, PyTorch bf16, batch 1'))) \
        if len(precisions) > 1 else None
    rows = []
    for name, secs in seconds.items():
        ips = args.num / secs
        precision = 'bf16' if 'bf16' in name else 'fp32'
        rows.append(dict(size=size, device=device, method=name,
                         precision=precision, images_per_s=ips,
                         vs_mmagic=ips / base, gflop_per_s=ips * gflops,
                         of_ceiling=ips * gflops / ceiling[precision],
                         generator_gflop=gflops,
                         conv_gflop_per_s=ceiling[precision],
                         vs_fp32_abs_diff=(bf16_error if precision == 'bf16'
                                           else None)))
    return rows


def output_difference(folder: str, other: str) -> Dict[str, float]:
    """Max and mean absolute difference (8-bit levels) between the PNGs
    of the same names in two folders."""
    diffs = [
        np.abs(cv2.imread(osp.join(folder, name)).astype(int) -
               cv2.imread(osp.join(other, name)))
        for name in sorted(os.listdir(folder))
    ]
    return dict(max=float(max(d.max() for d in diffs)),
                mean=float(np.mean([d.mean() for d in diffs])))


def markdown(rows: list) -> str:
    """The results as a markdown table."""
    head = ('size', 'device', 'method', 'img/s', 'vs mmagic', 'GFLOP/s',
            '% of conv ceiling (its precision)')
    lines = ['| ' + ' | '.join(head) + ' |', '|---' * len(head) + '|']
    for r in rows:
        cells = (f'{r["size"]}²', r['device'], r['method'],
                 f'{r["images_per_s"]:.2f}', f'{r["vs_mmagic"]:.2f}x',
                 f'{r["gflop_per_s"]:.0f}',
                 f'{100 * r["of_ceiling"]:.0f} % of '
                 f'{r["conv_gflop_per_s"]:.0f}')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def _ort_version() -> str:
    import onnxruntime
    return onnxruntime.__version__


def main() -> int:
    args = parse_args()
    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        files = write_model(workdir)
        for device in args.devices:
            for size in args.sizes:
                rows += bench_size(size, device, args, workdir, files)
    print(f'{args.num} sketches per size, {torch.get_num_threads()} CPU '
          f'threads ({os.cpu_count()} cores, load average {load_before:.1f} '
          f'before, {os.getloadavg()[0]:.1f} after), torch '
          f'{torch.__version__}, onnxruntime {_ort_version()}\n'
          f'{markdown(rows)}\n')
    best: Dict[tuple, dict] = {}
    for r in rows:
        key = (r['size'], r['device'], r['precision'])
        if r['method'].startswith('ours') and r['images_per_s'] > best.get(
                key, {}).get('images_per_s', 0):
            best[key] = r
    for (size, device, precision), r in best.items():
        error = r['vs_fp32_abs_diff']
        print(f'{size}² {device} {precision}: generator '
              f'{r["generator_gflop"]:.1f} GFLOP/image; conv2d 3x3 256->256 '
              f'at {size // 4}² (batch 1, {precision}) '
              f'{r["conv_gflop_per_s"]:.0f} GFLOP/s; best ({r["method"]}) '
              f'{r["vs_mmagic"]:.2f}x mmagic (target {TARGET_SPEEDUP}x: '
              f'{_met(r["vs_mmagic"] >= TARGET_SPEEDUP)}), '
              f'{100 * r["of_ceiling"]:.1f} % of the conv ceiling (target '
              f'{100 * TARGET_CEILING:.0f} %: '
              f'{_met(r["of_ceiling"] >= TARGET_CEILING)})' +
              (f'; colours vs fp32: max {error["max"]:.0f}, mean '
               f'{error["mean"]:.2f} levels of 255' if error else ''))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
