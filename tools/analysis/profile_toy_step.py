# Copyright (c) mmadvseg contributors. All rights reserved.
"""Time one toy training iteration per arm on one core, optionally against
another checkout of mmadvseg in the same run.

Every arm is a ``configs/toy/<model>_<arm>_toy.py`` leaf, built with a
random-weight guide (timing does not depend on the weights) and trained on
a fixed random batch of the toy size (batch 4, 64x64). The arms are built
in one worker process and stepped round-robin, one iteration each in turn,
so that a busy machine slows them alike; the table gives the median
seconds per iteration and the ratio to the baseline.

With ``--reference DIR`` (another checkout, e.g. ``git worktree add
/tmp/old HEAD~1``) a second worker imports mmadvseg from ``DIR`` and the
two workers alternate iteration by iteration: the table adds the
reference's time, the ratio new / reference, and whether every logged
value of every iteration is bit for bit the same in both.

Usage::

    python tools/analysis/profile_toy_step.py [--model cyclegan]
        [--arms baseline both semcycle joint] [--iters 8] [--threads 1]
        [--reference /tmp/old] [--profile] [--json out.json]
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', choices=['pix2pix', 'cyclegan'],
                        default='cyclegan')
    parser.add_argument('--arms', nargs='+',
                        default=['baseline', 'both', 'semcycle', 'joint'],
                        help='configs/toy leaves (<model>_<arm>_toy.py)')
    parser.add_argument('--iters', type=int, default=8,
                        help='timed iterations per arm (after 2 warm-ups)')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--reference',
                        help='another checkout of mmadvseg to time too')
    parser.add_argument('--profile', action='store_true',
                        help='print the top operators of one iteration of '
                        'each arm (this checkout)')
    parser.add_argument('--json', help='also write the results here')
    parser.add_argument('--worker', action='store_true',
                        help=argparse.SUPPRESS)
    return parser.parse_args(argv)


class Worker:
    """Builds the arms, then steps them on request (one JSON line each)."""

    def __init__(self, args: argparse.Namespace) -> None:
        import torch
        from benchmark_train_step import _optim_wrapper  # tools/analysis
        from mmagic.registry import MODELS
        from mmagic.structures import DataSample
        from mmengine.config import Config
        from mmengine.logging import MessageHub
        from mmengine.registry import init_default_scope

        import mmadvseg
        import mmadvseg.models  # noqa: F401  (registers the models)
        from mmadvseg.utils.config import repo_config
        torch.set_num_threads(args.threads)
        init_default_scope('mmagic')
        self.hub = MessageHub.get_current_instance()
        self.hub.update_info('max_iters', 1000)
        self.models, self.wrappers, self.iters = {}, {}, {}
        self.missing = []
        for arm in args.arms:
            try:
                cfg = Config.fromfile(
                    repo_config(f'toy/{args.model}_{arm}_toy.py'))
            except FileNotFoundError:
                self.missing.append(arm)
                continue
            seg = (cfg.model.get('adv_seg') or {}).get('segmenter')
            if seg is not None:
                seg.update(
                    checkpoint=None,
                    allow_random_init=True,
                    config=repo_config(osp.relpath(seg.config, 'configs')))
            torch.manual_seed(0)
            model = MODELS.build(cfg.model)
            model.init_weights()
            self.models[arm] = model
            self.wrappers[arm] = _optim_wrapper(model)
            self.iters[arm] = 0
        batch_size = cfg.train_dataloader.batch_size
        gen = torch.Generator().manual_seed(0)
        shape = (3, args.size, args.size)
        self.batch = dict(
            inputs={
                f'img_{domain}': [
                    torch.randint(0, 256, shape, generator=gen).float()
                    for _ in range(batch_size)
                ]
                for domain in ('sketch', 'photo')
            },
            data_samples=[DataSample() for _ in range(batch_size)])
        self.source = osp.dirname(osp.dirname(mmadvseg.__file__))

    def step(self, arm: str) -> dict:
        """One training iteration of ``arm``: seconds and logged values."""
        self.hub.update_info('iter', self.iters[arm])
        self.iters[arm] += 1
        start = time.perf_counter()
        log_vars = self.models[arm].train_step(self.batch, self.wrappers[arm])
        seconds = time.perf_counter() - start
        return dict(seconds=seconds,
                    log={k: float(v).hex() for k, v in log_vars.items()})

    def profile(self, arm: str) -> str:
        """The top operators of one iteration of ``arm``."""
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            self.step(arm)
        return prof.key_averages().table(
            sort_by='self_cpu_time_total', row_limit=12)

    def serve(self, answers) -> None:
        """Answer the commands on stdin (``step ARM``, ``profile ARM``)
        with one JSON line each on ``answers``."""
        print(json.dumps(dict(source=self.source, missing=self.missing)),
              file=answers, flush=True)
        for line in sys.stdin:
            command, arm = line.split()
            out = self.step(arm) if command == 'step' else dict(
                table=self.profile(arm))
            print(json.dumps(out), file=answers, flush=True)


class WorkerProcess:
    """A worker in a subprocess, importing mmadvseg from ``source``."""

    def __init__(self, args: argparse.Namespace, source=None) -> None:
        env = dict(os.environ)
        if source:
            env['PYTHONPATH'] = os.pathsep.join(
                [osp.abspath(source)] +
                [p for p in [env.get('PYTHONPATH')] if p])
        cmd = [sys.executable, osp.abspath(__file__), '--worker',
               '--model', args.model, '--threads', str(args.threads),
               '--size', str(args.size), '--arms', *args.arms]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
            cwd=osp.abspath(source) if source else None, text=True)
        self.info = self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f'error: the worker failed (exit code '
                             f'{self.proc.wait()}); see its messages above')
        return json.loads(line)

    def ask(self, command: str, arm: str) -> dict:
        self.proc.stdin.write(f'{command} {arm}\n')
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def main() -> None:
    args = parse_args()
    if args.worker:
        # answers on the original stdout; whatever else prints goes to stderr
        answers = os.fdopen(os.dup(1), 'w')
        os.dup2(2, 1)
        Worker(args).serve(answers)
        return
    if args.reference and not osp.isdir(osp.join(args.reference,
                                                  'mmadvseg')):
        raise SystemExit(f'error: --reference {args.reference} is not a '
                         'checkout of mmadvseg (no mmadvseg/ folder); make '
                         'one with: git worktree add /tmp/old <commit>')
    workers = {'new': WorkerProcess(args)}
    if args.reference:
        workers['ref'] = WorkerProcess(args, args.reference)
    arms = [a for a in args.arms if a not in workers['new'].info['missing']]
    times = {(w, a): [] for w in workers for a in arms}
    logs = {(w, a): [] for w in workers for a in arms}
    for it in range(args.iters + 2):
        for arm in arms:
            for name, worker in workers.items():
                if arm in worker.info['missing']:
                    continue
                out = worker.ask('step', arm)
                if it >= 2:  # warm-up
                    times[name, arm].append(out['seconds'])
                logs[name, arm].append(out['log'])
    if args.profile:
        for arm in arms:
            print(f'== {arm}\n' + workers['new'].ask('profile', arm)['table'])
    for worker in workers.values():
        worker.close()
    results = []
    for arm in arms:
        row = dict(arm=arm, step=statistics.median(times['new', arm]))
        if times.get(('ref', arm)):
            row['ref_step'] = statistics.median(times['ref', arm])
            row['identical'] = logs['new', arm] == logs['ref', arm]
        results.append(row)
    base = next((r for r in results if r['arm'] == 'baseline'), None)
    lines = [
        f'{args.model} toy, batch 4 at {args.size}x{args.size}, '
        f'{args.threads} thread(s), median of {args.iters} iterations '
        f'(mmadvseg from {workers["new"].info["source"]})', '',
        '| arm | s / iteration | vs baseline |' +
        (' reference s / it | new / reference | logs bit-identical |'
         if args.reference else ''),
        '|---|---|---|' + ('---|---|---|' if args.reference else '')
    ]
    for r in results:
        line = (f"| {r['arm']} | {r['step']:.3f} | "
                f"{r['step'] / base['step'] if base else float('nan'):.3f} |")
        if args.reference:
            line += (f" {r['ref_step']:.3f} | {r['step'] / r['ref_step']:.3f}"
                     f" | {r['identical']} |" if 'ref_step' in r else
                     ' - | - | - |')
        lines.append(line)
    print('\n'.join(lines))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(args=vars(args), results=results), f, indent=2)


if __name__ == '__main__':
    main()
