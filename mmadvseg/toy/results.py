# Copyright (c) mmadvseg contributors. All rights reserved.
"""Tables of the toy experiment: mean ± standard deviation over seeds."""
import json
import math
import os.path as osp
import statistics
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..utils.fileio import atomic_write

MODELS = ('pix2pix', 'cyclegan')
VARIANTS = ('baseline', 'multiclass', 'binary', 'both')
#: (metric key in the run results, column title, digits, scale)
COLUMNS: Tuple[Tuple[str, str, int, float], ...] = (
    ('Toy/mIoU', 'mIoU', 3, 1.0),
    ('Toy/aAcc', 'pixel acc', 3, 1.0),
    ('Toy/aAcc_binary', 'thing/stuff acc', 3, 1.0),
    ('Toy/mIoU_binary', 'thing/stuff mIoU', 3, 1.0),
    ('FID/kid', 'KID x1e3', 2, 1e3),
    ('Toy/L1', 'L1', 4, 1.0),
)


def mean_std(values: Sequence[Optional[float]]) -> Tuple[float, float]:
    """Mean and sample standard deviation, NaN where undefined (missing
    values are left out)."""
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return math.nan, math.nan
    std = statistics.stdev(values) if len(values) > 1 else math.nan
    return statistics.fmean(values), std


def _group_key(run: Dict[str, Any]) -> tuple:
    return (run['model'], run['variant'],
            json.dumps(run.get('overrides') or {}, sort_keys=True))


def aggregate(runs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Mean and sample standard deviation over seeds, per arm.

    Args:
        runs (list[dict]): Results of single runs (``result.json``).

    Returns:
        list[dict]: One row per (model, variant, overrides) with ``n``,
        ``seeds``, ``iters`` and ``<metric>_mean`` / ``<metric>_std``.
    """
    groups: Dict[tuple, List[Dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault(_group_key(run), []).append(run)
    rows = []
    for (model, variant, overrides), group in groups.items():
        row = dict(model=model, variant=variant,
                   overrides=json.loads(overrides), n=len(group),
                   iters=sorted({r['iters'] for r in group}),
                   seeds=sorted(r['seed'] for r in group),
                   train_time_s=mean_std([r['train_time_s']
                                          for r in group])[0])
        for key in sorted({k for r in group for k in r['metrics']}):
            mean, std = mean_std([r['metrics'].get(key) for r in group])
            row[f'{key}_mean'], row[f'{key}_std'] = mean, std
        rows.append(row)
    order = {arm: i for i, arm in enumerate(
        (m, v) for m in MODELS for v in VARIANTS)}
    rows.sort(key=lambda r: (order.get((r['model'], r['variant']), 99),
                             json.dumps(r['overrides'], sort_keys=True)))
    return rows


def _fmt(mean: Optional[float], std: Optional[float], digits: int,
         scale: float) -> str:
    if mean is None or math.isnan(mean):
        return 'n/a'
    text = f'{mean * scale:.{digits}f}'
    if std is not None and not math.isnan(std):
        text += f' ± {std * scale:.{digits}f}'
    return text


def markdown_table(rows: List[Dict[str, Any]]) -> str:
    """The rows of :func:`aggregate` as a Markdown table."""
    head = ['model', 'variant', 'iters', 'seeds'] + [c[1] for c in COLUMNS]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for row in rows:
        variant = row['variant']
        if row['overrides']:
            variant += ' (' + ', '.join(
                f'{k.split(".")[-1]}={v}'
                for k, v in sorted(row['overrides'].items())) + ')'
        cells = [row['model'], variant,
                 '/'.join(map(str, row.get('iters', []))), str(row['n'])]
        cells += [
            _fmt(row.get(f'{key}_mean'), row.get(f'{key}_std'), digits,
                 scale) for key, _, digits, scale in COLUMNS
        ]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def write_results(out_dir: str, runs: List[Dict[str, Any]],
                  info: Dict[str, Any]) -> Dict[str, Any]:
    """Write ``results.json`` and ``results.md``; return the JSON content
    (plus ``markdown``)."""
    rows = aggregate(runs)
    content = dict(info=info, rows=rows, runs=runs)
    with atomic_write(osp.join(out_dir, 'results.json'), 'w') as f:
        json.dump(content, f, indent=2, sort_keys=True)
    md = ['# AdvSegLoss vs baseline on toy scenes\n', markdown_table(rows), '']
    ceiling = [r for r in runs if 'Toy/real_mIoU' in r['metrics']]
    if ceiling:
        real = mean_std([r['metrics']['Toy/real_mIoU'] for r in ceiling])[0]
        real_acc = mean_std([r['metrics']['Toy/real_aAcc']
                             for r in ceiling])[0]
        md.append(f'Evaluation segmenter on the real test photos: mIoU '
                  f'{real:.3f}, pixel acc {real_acc:.3f} (the ceiling).')
    md += [f'- {key}: {value}' for key, value in info.items()]
    text = '\n'.join(md) + '\n'
    with atomic_write(osp.join(out_dir, 'results.md'), 'w') as f:
        f.write(text)
    content['markdown'] = text
    return content


__all__ = [
    'MODELS', 'VARIANTS', 'COLUMNS', 'mean_std', 'aggregate',
    'markdown_table', 'write_results'
]
