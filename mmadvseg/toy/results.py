# Copyright (c) mmadvseg contributors. All rights reserved.
"""Tables of the toy experiment: means over seeds, paired differences to
the baseline with confidence intervals, and the training diagnostics."""
import json
import math
import os.path as osp
import statistics
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..utils.fileio import atomic_write
from .protocol import TOY_GANS, TOY_VARIANTS

#: (metric key in the run results, column title, digits, scale)
COLUMNS: Tuple[Tuple[str, str, int, float], ...] = (
    ('Judge/mIoU', 'judge mIoU', 3, 1.0),
    ('Colour/mIoU', 'colour mIoU', 3, 1.0),
    ('Toy/mIoU', 'M2F-wide mIoU', 3, 1.0),
    ('Guide/mIoU', 'guide mIoU', 3, 1.0),
    ('Judge/aAcc_binary', 'judge thing/stuff acc', 3, 1.0),
    ('JudgeFD/fd', 'judge FD', 2, 1.0),
    ('FID/kid', 'KID x1e3', 2, 1e3),
    ('Toy/L1', 'L1', 4, 1.0),
)
#: Paired differences reported beside the primary metric.
SECONDARY = ('Colour/mIoU', 'Toy/mIoU', 'Guide/mIoU', 'JudgeFD/fd', 'Toy/L1')


def sensitivity_metrics(primary: str) -> Tuple[str, ...]:
    """The primary metric scored other ways, to show how much a result
    depends on them: the judge's void pixels counted as errors and left
    out (instead of filled with the nearest class), and the second judge
    (another training seed). E.g. ``'Judge/mIoU@last3'`` ->
    ``('Judge/mIoU_void_error@last3', 'Judge/mIoU_void_ignored@last3',
    'Judge2/mIoU@last3')``."""
    key, sep, last = primary.partition('@')
    prefix, _, name = key.partition('/')
    return tuple(k + sep + last for k in (
        f'{prefix}/{name}_void_error', f'{prefix}/{name}_void_ignored',
        f'{prefix}2/{name}'))


def mean_std(values: Sequence[Optional[float]]) -> Tuple[float, float]:
    """Mean and sample standard deviation, NaN where undefined (missing
    values are left out)."""
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return math.nan, math.nan
    std = statistics.stdev(values) if len(values) > 1 else math.nan
    return statistics.fmean(values), std


def t_interval(diffs: Sequence[float],
               level: float = 0.95) -> Tuple[float, float, float]:
    """Mean of paired differences and its two-sided t confidence interval.

    Args:
        diffs (Sequence[float]): Differences, one per seed.
        level (float): Confidence level. Defaults to 0.95.

    Returns:
        tuple[float, float, float]: Mean, lower and upper bound (NaN bounds
        for fewer than 2 differences).
    """
    mean, std = mean_std(diffs)
    if len(diffs) < 2:
        return mean, math.nan, math.nan
    from scipy.stats import t
    half = t.ppf(0.5 + level / 2, len(diffs) - 1) * std / math.sqrt(
        len(diffs))
    return mean, mean - half, mean + half


def with_curve_metric(run: Dict[str, Any], metric: str) -> Dict[str, Any]:
    """A run whose metrics also hold ``metric`` when it names a curve
    summary: ``<key>@last<k>``, the mean of the last ``k`` validations of
    ``key`` (NaN without ``k`` of them), or ``<key>@best``, the curve's
    maximum (NaN without a curve). Other names leave the run as it is.

    Args:
        run (dict): The result of a run (``metrics``, ``curves``).
        metric (str): E.g. ``'Judge/mIoU@last3'`` or ``'Judge/mIoU@best'``.

    Returns:
        dict: ``run``, or a copy with the metric added.
    """
    key, sep, summary = metric.partition('@')
    if not sep or metric in run['metrics']:
        return run
    values = [v for _, v in run.get('curves', {}).get(key, [])]
    if summary == 'best':
        value = max(values) if values else math.nan
    elif summary.startswith('last'):
        last = int(summary[len('last'):])
        value = statistics.fmean(values[-last:]) if len(
            values) >= last else math.nan
    else:
        raise ValueError(f'unknown curve summary {metric!r}: use '
                         '<key>@last<k> or <key>@best')
    return dict(run, metrics=dict(run['metrics'], **{metric: value}))


def curve_metrics(primary: str) -> Tuple[str, ...]:
    """The primary metric's companions along training, for a primary that
    averages the last validations: the final and the best value, and the
    same average over thing and over stuff classes. E.g.
    ``'Judge/mIoU@last3'`` -> ``('Judge/mIoU', 'Judge/mIoU@best',
    'Judge/mIoU_thing@last3', 'Judge/mIoU_stuff@last3')``; ``()`` for a
    primary that is a single value."""
    key, sep, summary = primary.partition('@')
    if not sep:
        return ()
    return (key, f'{key}@best', f'{key}_thing@{summary}',
            f'{key}_stuff@{summary}')


def holm(p_values: Sequence[float], alpha: float = 0.05) -> List[bool]:
    """Holm's step-down test: which hypotheses are rejected at family-wise
    error ``alpha`` (NaN p-values are never rejected and count as tests).

    Args:
        p_values (Sequence[float]): One per comparison.
        alpha (float): Family-wise error rate. Defaults to 0.05.

    Returns:
        list[bool]: Rejected, in the order of ``p_values``.
    """
    order = sorted(range(len(p_values)),
                   key=lambda i: (math.isnan(p_values[i]), p_values[i]))
    rejected = [False] * len(p_values)
    for rank, i in enumerate(order):
        if math.isnan(p_values[i]) or \
                p_values[i] > alpha / (len(p_values) - rank):
            break
        rejected[i] = True
    return rejected


def _p_values(diffs: Sequence[float]) -> Tuple[float, float]:
    """Two-sided p-values of the paired t test and of Wilcoxon's exact
    signed-rank test (NaN when undefined)."""
    diffs = [d for d in diffs if not math.isnan(d)]
    if len(diffs) < 2 or not any(diffs):
        return math.nan, math.nan
    from scipy.stats import ttest_1samp, wilcoxon
    return (float(ttest_1samp(diffs, 0.0).pvalue),
            float(wilcoxon(diffs).pvalue))


def _arm(run: Dict[str, Any]) -> str:
    return run.get('arm') or run['variant'] + ''.join(
        f'_{k.split(".")[-1]}{v}'
        for k, v in sorted((run.get('overrides') or {}).items()))


def aggregate(runs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Mean and sample standard deviation over seeds, per arm.

    Args:
        runs (list[dict]): Results of single runs (``result.json``).

    Returns:
        list[dict]: One row per (model, arm) with ``n``, ``seeds``,
        ``iters`` and ``<metric>_mean`` / ``<metric>_std``.
    """
    groups: Dict[tuple, List[Dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault((run['model'], _arm(run)), []).append(run)
    rows = []
    for (model, arm), group in groups.items():
        row = dict(model=model, arm=arm, variant=group[0]['variant'],
                   overrides=group[0].get('overrides') or {}, n=len(group),
                   iters=sorted({r['iters'] for r in group}),
                   seeds=sorted(r['seed'] for r in group),
                   train_time_s=mean_std([r['train_time_s']
                                          for r in group])[0])
        for key in sorted({k for r in group for k in r['metrics']}):
            mean, std = mean_std([r['metrics'].get(key) for r in group])
            row[f'{key}_mean'], row[f'{key}_std'] = mean, std
        rows.append(row)
    order = {(m, v): i for i, (m, v) in enumerate(
        (m, v) for m in TOY_GANS for v in TOY_VARIANTS)}
    rows.sort(key=lambda r: (order.get((r['model'], r['variant']), 99),
                             r['arm']))
    return rows


def _by_arm(runs: List[Dict[str, Any]]) -> Dict[tuple, Dict[int, Dict]]:
    """The runs by (model, arm), then by seed."""
    by_arm: Dict[tuple, Dict[int, Dict[str, Any]]] = {}
    for run in runs:
        by_arm.setdefault((run['model'], _arm(run)), {})[run['seed']] = run
    return by_arm


def _paired_seeds(runs_a: Dict[int, Dict], runs_b: Dict[int, Dict]) -> list:
    """The seeds two arms both have, trained with the same segmenter
    weights."""
    return sorted(s for s in set(runs_a) & set(runs_b)
                  if runs_a[s].get('segmenter_weights') == runs_b[s].get(
                      'segmenter_weights'))


def paired_differences(runs: List[Dict[str, Any]],
                       primary: str = 'Judge/mIoU',
                       secondary: Sequence[str] = SECONDARY,
                       comparisons: Optional[int] = None
                       ) -> List[Dict[str, Any]]:
    """Each arm minus its model's baseline, seed by seed.

    Only seeds both have, trained with the same segmenter weights, are
    paired. The number of comparisons is returned with each row, with the
    Bonferroni-adjusted interval of the primary metric, its paired t and
    Wilcoxon signed-rank p-values, Holm's decision over the rows and the
    count of seeds where the arm is above its baseline.

    Args:
        runs (list[dict]): Results of single runs.
        primary (str): The primary metric.
        secondary (Sequence[str]): Further metrics (95 % intervals only).
        comparisons (int, optional): The number of comparisons the
            experiment makes (its arms other than a baseline), finished or
            not; default: the arms with runs.

    Returns:
        list[dict]: ``model``, ``arm``, ``n``, ``comparisons`` and per
        metric ``<metric>`` = (mean, low, high) of the differences, plus
        ``<primary>_bonferroni``, ``<primary>_p_t``,
        ``<primary>_p_wilcoxon``, ``<primary>_holm`` (rejected at 5 %
        family-wise) and ``<primary>_above`` (seeds with a positive
        difference).
    """
    for metric in (primary, *secondary):
        runs = [with_curve_metric(run, metric) for run in runs]
    by_arm = _by_arm(runs)
    arms = [key for key in by_arm if key[1] != 'baseline'
            and (key[0], 'baseline') in by_arm]
    comparisons = comparisons or len(arms)
    rows = []
    for model, arm in arms:
        base, runs_arm = by_arm[(model, 'baseline')], by_arm[(model, arm)]
        seeds = _paired_seeds(runs_arm, base)
        row: Dict[str, Any] = dict(model=model, arm=arm, n=len(seeds),
                                   comparisons=comparisons)
        for key in (primary, *secondary):
            diffs = [runs_arm[s]['metrics'][key] - base[s]['metrics'][key]
                     for s in seeds if key in runs_arm[s]['metrics']
                     and key in base[s]['metrics']]
            if key != primary:  # a metric some runs lack (NaN) is left out
                diffs = [d for d in diffs if not math.isnan(d)]
            if diffs:
                row[key] = t_interval(diffs)
        diffs = [runs_arm[s]['metrics'].get(primary, math.nan) -
                 base[s]['metrics'].get(primary, math.nan) for s in seeds]
        row[f'{primary}_bonferroni'] = t_interval(diffs,
                                                  1 - 0.05 / comparisons)
        row[f'{primary}_p_t'], row[f'{primary}_p_wilcoxon'] = _p_values(
            diffs)
        row[f'{primary}_above'] = sum(d > 0 for d in diffs)
        rows.append(row)
    # comparisons without runs yet count as tests that are not rejected
    p_values = [row[f'{primary}_p_t'] for row in rows]
    p_values += [math.nan] * (comparisons - len(rows))
    for row, rejected in zip(rows, holm(p_values)):
        row[f'{primary}_holm'] = rejected
    return rows


def arm_contrasts(runs: List[Dict[str, Any]],
                  primary: str = 'Judge/mIoU') -> List[Dict[str, Any]]:
    """Every two arms of a model other than its baseline, seed by seed:
    e.g. whether an AdvSegLoss arm does better than a non-adversarial
    control. Descriptive (95 % t intervals and sign counts), outside the
    family of comparisons that Holm's test controls.

    Args:
        runs (list[dict]): Results of single runs.
        primary (str): The metric compared.

    Returns:
        list[dict]: ``model``, ``arm`` (``'<a> - <b>'``, in the order the
        arms first appear in ``runs``), ``n``, ``<primary>`` = (mean, low,
        high) and ``<primary>_above`` (seeds where ``a`` is higher).
    """
    runs = [with_curve_metric(run, primary) for run in runs]
    by_arm = _by_arm(runs)
    rows = []
    for i, (model, arm_a) in enumerate(by_arm):
        for model_b, arm_b in list(by_arm)[i + 1:]:
            if model_b != model or 'baseline' in (arm_a, arm_b):
                continue
            runs_a, runs_b = by_arm[(model, arm_a)], by_arm[(model, arm_b)]
            diffs = [runs_a[s]['metrics'][primary] -
                     runs_b[s]['metrics'][primary]
                     for s in _paired_seeds(runs_a, runs_b)]
            rows.append({'model': model, 'arm': f'{arm_a} - {arm_b}',
                         'n': len(diffs), primary: t_interval(diffs),
                         f'{primary}_above': sum(d > 0 for d in diffs)})
    return rows


def _fmt(mean: Optional[float], std: Optional[float], digits: int,
         scale: float = 1.0) -> str:
    if mean is None or math.isnan(mean):
        return 'n/a'
    text = f'{mean * scale:.{digits}f}'
    if std is not None and not math.isnan(std):
        text += f' ± {std * scale:.{digits}f}'
    return text


def _interval(cell: Optional[tuple], digits: int = 3) -> str:
    if not cell:
        return 'n/a'
    mean, low, high = cell
    if math.isnan(low):
        return f'{mean:+.{digits}f}'
    return f'{mean:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]'


def _table(head: List[str], lines: List[List[str]]) -> str:
    out = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    return '\n'.join(out + ['| ' + ' | '.join(cells) + ' |'
                            for cells in lines])


def markdown_table(rows: List[Dict[str, Any]]) -> str:
    """The rows of :func:`aggregate` as a Markdown table (mean ± std)."""
    lines = []
    for row in rows:
        cells = [row['model'], row['arm'],
                 '/'.join(map(str, row.get('iters', []))), str(row['n'])]
        cells += [
            _fmt(row.get(f'{key}_mean'), row.get(f'{key}_std'), digits,
                 scale) for key, _, digits, scale in COLUMNS
        ]
        lines.append(cells)
    return _table(['model', 'arm', 'iters', 'seeds'] + [c[1] for c in COLUMNS],
                  lines)


def sensitivity_table(rows: List[Dict[str, Any]], primary: str) -> str:
    """The paired differences of the primary metric scored other ways
    (:func:`sensitivity_metrics`), where the runs have them; '' if none."""
    keys = [k for k in sensitivity_metrics(primary)
            if any(k in r for r in rows)]
    if not keys:
        return ''
    lines = [[r['model'], f'{r["arm"]} - baseline', str(r['n']),
              _interval(r.get(primary))] + [_interval(r.get(k)) for k in keys]
             for r in rows]
    return _table(['model', 'difference', 'seeds', primary]
                  + [f'{k} [95 % CI]' for k in keys], lines)


def paired_table(rows: List[Dict[str, Any]], primary: str) -> str:
    """The rows of :func:`paired_differences` as a Markdown table."""
    lines = [[
        r['model'], f'{r["arm"]} - baseline', str(r['n']),
        _interval(r.get(primary)),
        _interval(r.get(f'{primary}_bonferroni')),
        f'{r.get(f"{primary}_p_t", math.nan):.3g} / '
        f'{r.get(f"{primary}_p_wilcoxon", math.nan):.3g}',
        'yes' if r.get(f'{primary}_holm') else 'no',
        f'{r.get(f"{primary}_above", 0)}/{r["n"]}'
    ] + [_interval(r.get(key)) for key in SECONDARY] for r in rows]
    comparisons = rows[0]['comparisons'] if rows else 0
    head = ['model', 'difference', 'seeds', f'{primary} [95 % CI]',
            f'{primary} [Bonferroni CI, {comparisons} comparisons]',
            'p (t / Wilcoxon)', 'Holm 5 %', 'seeds above'
            ] + [f'{k} [95 % CI]' for k in SECONDARY]
    return _table(head, lines)


def contrast_table(rows: List[Dict[str, Any]], primary: str) -> str:
    """The rows of :func:`arm_contrasts` as a Markdown table."""
    return _table(
        ['model', 'difference', 'seeds', f'{primary} [95 % CI]',
         'seeds above'],
        [[r['model'], r['arm'], str(r['n']), _interval(r.get(primary)),
          f'{r[f"{primary}_above"]}/{r["n"]}'] for r in rows])


def curve_table(rows: List[Dict[str, Any]], primary: str) -> str:
    """The primary metric beside its companions along training
    (:func:`curve_metrics`: final, best, thing and stuff classes), mean ±
    std over seeds per arm of :func:`aggregate`; '' for a primary that is
    a single value."""
    keys = (primary, *curve_metrics(primary))
    if len(keys) == 1:
        return ''
    return _table(
        ['model', 'arm', 'seeds'] + list(keys),
        [[r['model'], r['arm'], str(r['n'])] + [
            _fmt(r.get(f'{k}_mean'), r.get(f'{k}_std'), 3) for k in keys]
         for r in rows])


def learning_curve_table(runs: List[Dict[str, Any]], key: str,
                         columns: int = 10) -> str:
    """``key``'s validation curve along training, the mean over seeds per
    arm, at up to ``columns`` evenly spaced iterations that every run
    validated (the last included); '' without curves.

    Args:
        runs (list[dict]): The runs (``curves``).
        key (str): A validated metric, e.g. ``'Judge/mIoU'``.
        columns (int): Most iterations shown. Defaults to 10.
    """
    groups: Dict[tuple, List[Dict[int, float]]] = {}
    for run in runs:
        curve = {int(i): v for i, v in run.get('curves', {}).get(key, [])}
        if curve:
            groups.setdefault((run['model'], _arm(run)), []).append(curve)
    if not groups:
        return ''
    iters = sorted(set.intersection(
        *(set(c) for curves in groups.values() for c in curves)))
    step = max(1, math.ceil(len(iters) / columns))
    shown = iters[::-1][::step][::-1]
    return _table(
        ['model', 'arm', 'seeds'] + [str(i) for i in shown],
        [[model, arm, str(len(curves))] + [
            _fmt(statistics.fmean(c[i] for c in curves), None, 3)
            for i in shown] for (model, arm), curves in sorted(
                groups.items())])


def plateau_check(runs: List[Dict[str, Any]], key: str,
                  window: int = 3, tol: float = 0.02) -> Dict[str, Any]:
    """The toy protocols' plateau rule on the runs' curves of ``key``:
    each run's trailing ``window``-validation moving average, averaged over
    the runs at the iterations they share (the smoothed curve), has
    plateaued at its last iteration T when it rises by less than ``tol``
    from the validation nearest 3T/4 to T and ends within ``tol`` of its
    maximum.

    Args:
        runs (list[dict]): The runs of one arm (``curves``), e.g. a
            baseline's seeds.
        key (str): The validated metric, e.g. ``'Judge/mIoU'``.
        window (int): Validations per moving average. Defaults to 3.
        tol (float): The rule's tolerance. Defaults to 0.02.

    Returns:
        dict: ``smoothed`` ([iteration, value] pairs), ``rise`` (over the
        last quarter, from iteration ``start``), ``below_max`` and
        ``plateaued``; empty without ``window`` shared validations.
    """
    smoothed_runs = []
    for run in runs:
        curve = run.get('curves', {}).get(key, [])
        smoothed_runs.append({
            int(curve[i][0]): statistics.fmean(
                v for _, v in curve[i + 1 - window:i + 1])
            for i in range(window - 1, len(curve))})
    if not smoothed_runs:
        return {}
    iters = sorted(set.intersection(*(set(s) for s in smoothed_runs)))
    if not iters:
        return {}
    smoothed = [[i, statistics.fmean(s[i] for s in smoothed_runs)]
                for i in iters]
    last_iter, last = smoothed[-1]
    start, start_value = min(
        smoothed, key=lambda p: abs(p[0] - 0.75 * last_iter))
    below_max = max(v for _, v in smoothed) - last
    return dict(smoothed=smoothed, start=start, rise=last - start_value,
                below_max=below_max,
                plateaued=last - start_value < tol and below_max <= tol)


def plateau_note(runs: List[Dict[str, Any]], key: str) -> List[str]:
    """A line per arm: :func:`plateau_check` on its seeds (the protocols
    decide the schedule on the baseline's; the others show whether the
    arms levelled off too)."""
    groups: Dict[tuple, List[Dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault((run['model'], _arm(run)), []).append(run)
    lines = []
    for (model, arm), group in sorted(groups.items()):
        check = plateau_check(group, key)
        if not check:
            continue
        last_iter, last = check['smoothed'][-1]
        start_value = dict(map(tuple, check['smoothed']))[check['start']]
        lines.append(
            f'- Plateau rule, {model} {arm} ({len(group)} seeds, {key} '
            f'smoothed over 3 validations): {check["rise"]:+.3f} over the '
            f'last quarter ({start_value:.3f} at {check["start"]}, '
            f'{last:.3f} at {last_iter}), {check["below_max"]:.3f} below '
            'its maximum: ' + ('plateaued' if check['plateaued'] else
                               'NOT plateaued'))
    return lines


def diagnostics_table(runs: List[Dict[str, Any]]) -> str:
    """End-of-training diagnostics (mean over seeds of each run's last
    fifth of training), per arm."""
    groups: Dict[tuple, List[Dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault((run['model'], _arm(run)), []).append(run)
    keys = sorted({k for r in runs for k in r.get('diagnostics', {})})
    if not keys:
        return ''
    lines = []
    for (model, arm), group in sorted(groups.items()):
        lines.append([model, arm] + [
            _fmt(mean_std([r['diagnostics'][k]['end'] for r in group
                           if k in r.get('diagnostics', {})])[0], None, 3)
            for k in keys
        ])
    return _table(['model', 'arm'] + keys, lines)


def segmenter_weights_note(runs: List[Dict[str, Any]]) -> str:
    """A line saying whether every run was trained and judged with the same
    segmenter weights (runs record their digest), and which."""
    digests = {json.dumps(r.get('segmenter_weights'), sort_keys=True)
               for r in runs}
    if len(digests) > 1:
        return (f'- WARNING: the runs used {len(digests)} different sets of '
                'segmenter weights (segmenter_weights in their results); '
                'their comparisons are confounded')
    return f'- segmenter weights (digests): {digests.pop() if runs else "-"}'


def write_results(out_dir: str, runs: List[Dict[str, Any]],
                  info: Dict[str, Any],
                  primary: str = 'Judge/mIoU',
                  name: str = 'results',
                  comparisons: Optional[int] = None) -> Dict[str, Any]:
    """Write ``<name>.json`` and ``<name>.md`` in ``out_dir``; return the
    JSON content (plus ``markdown``). ``comparisons``: see
    :func:`paired_differences`."""
    for metric in (primary, *curve_metrics(primary)):
        runs = [with_curve_metric(run, metric) for run in runs]
    rows = aggregate(runs)
    paired = paired_differences(
        runs, primary, SECONDARY + sensitivity_metrics(primary), comparisons)
    content = dict(info=info, rows=rows, paired=paired, runs=runs,
                   contrasts=arm_contrasts(runs, primary))
    with atomic_write(osp.join(out_dir, f'{name}.json'), 'w') as f:
        json.dump(content, f, indent=2, sort_keys=True)
    md = ['# AdvSegLoss vs baseline on toy scenes\n', markdown_table(rows), '']
    for prefix in ('Judge', 'Toy', 'Guide', 'Colour'):
        real = [r['metrics'][f'{prefix}/real_mIoU'] for r in runs
                if f'{prefix}/real_mIoU' in r['metrics']]
        if real:
            md.append(f'- {prefix} on the real test photos: mIoU '
                      f'{mean_std(real)[0]:.3f} (its ceiling)')
    curves = curve_table(rows, primary)
    if curves:
        md += ['', '## The primary metric, final, best, thing and stuff '
               '(mean ± std over seeds)\n', curves]
    key = primary.partition('@')[0]
    learning = learning_curve_table(runs, key) if key != primary else ''
    if learning:
        md += ['', f'## {key} along training (mean over seeds, by '
               'iteration)\n', learning, ''] + plateau_note(runs, key)
    if paired:
        md += ['', f'## Paired differences to the baseline ({primary})\n',
               paired_table(paired, primary)]
        sensitivity = sensitivity_table(paired, primary)
        if sensitivity:
            md += ['', '## Sensitivity: void pixels and a second judge\n',
                   'Void: pixels the judge leaves unlabelled, here counted '
                   'as errors or left out instead of filled with the '
                   'nearest class; Judge2: the judge\'s recipe trained from '
                   'another seed.\n', sensitivity]
    contrasts = content['contrasts']
    if contrasts:
        md += ['', f'## Between arms ({primary}; descriptive, outside the '
               'Holm family)\n', contrast_table(contrasts, primary)]
    diagnostics = diagnostics_table(runs)
    if diagnostics:
        md += ['', '## Diagnostics at the end of training\n', diagnostics]
    md += [''] + [f'- {key}: {value}' for key, value in info.items()
                  if key != 'settings'] + [segmenter_weights_note(runs)]
    text = '\n'.join(md) + '\n'
    with atomic_write(osp.join(out_dir, f'{name}.md'), 'w') as f:
        f.write(text)
    content['markdown'] = text
    return content


__all__ = [
    'COLUMNS', 'mean_std', 't_interval', 'with_curve_metric',
    'curve_metrics', 'holm', 'aggregate', 'arm_contrasts', 'contrast_table',
    'curve_table', 'learning_curve_table', 'plateau_check', 'plateau_note',
    'paired_differences', 'markdown_table', 'paired_table',
    'sensitivity_metrics', 'sensitivity_table',
    'diagnostics_table', 'segmenter_weights_note', 'write_results'
]
