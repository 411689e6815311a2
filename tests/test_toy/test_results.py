# Copyright (c) mmadvseg contributors. All rights reserved.
"""The protocol analysis: curve means as the primary metric, Holm's test,
p-values and sign counts beside the intervals."""
import math
from statistics import stdev

import pytest
from scipy.stats import t, ttest_1samp, wilcoxon

from mmadvseg.toy.results import (
    arm_contrasts,
    curve_metrics,
    holm,
    learning_curve_table,
    paired_differences,
    paired_table,
    plateau_check,
    sensitivity_metrics,
    sensitivity_table,
    with_curve_metric,
    write_results,
)


def _run(variant: str, seed: int, curve) -> dict:
    return dict(model='pix2pix', variant=variant, seed=seed, iters=300,
                metrics={'Judge/mIoU': curve[-1]},
                curves={'Judge/mIoU': [[100 * (i + 1), v]
                                       for i, v in enumerate(curve)]})


def test_curve_mean_of_the_last_validations():
    run = _run('baseline', 0, [0.1, 0.4, 0.5, 0.6])
    got = with_curve_metric(run, 'Judge/mIoU@last3')
    assert got['metrics']['Judge/mIoU@last3'] == pytest.approx(0.5)
    assert run['metrics'] == {'Judge/mIoU': 0.6}  # not changed in place
    assert math.isnan(with_curve_metric(run, 'Judge/mIoU@last5')['metrics'][
        'Judge/mIoU@last5'])  # fewer validations than asked
    assert with_curve_metric(run, 'Judge/mIoU') is run
    assert with_curve_metric(run, 'Judge/mIoU@best')['metrics'][
        'Judge/mIoU@best'] == pytest.approx(0.6)
    run['curves']['Judge/mIoU'][1][1] = 0.9  # best before the end
    assert with_curve_metric(run, 'Judge/mIoU@best')['metrics'][
        'Judge/mIoU@best'] == pytest.approx(0.9)
    with pytest.raises(ValueError, match='@last<k> or <key>@best'):
        with_curve_metric(run, 'Judge/mIoU@median')


def test_curve_metrics_accompany_a_curve_mean_only():
    assert curve_metrics('Judge/mIoU@last3') == (
        'Judge/mIoU', 'Judge/mIoU@best', 'Judge/mIoU_thing@last3',
        'Judge/mIoU_stuff@last3')
    assert curve_metrics('Judge/mIoU') == ()


def test_arms_are_contrasted_seed_by_seed_beside_the_baseline(tmp_path):
    """An AdvSegLoss arm against the non-adversarial control: paired by
    seed (and segmenter weights), outside the Holm family, in the
    results."""
    both = [0.60, 0.65, 0.62]
    control = [0.55, 0.66, 0.52]
    runs = []
    for seed in range(3):
        runs.append(_run('baseline', seed, [0.3, 0.4]))
        runs.append(_run('both', seed, [0.5, both[seed]]))
        runs.append(_run('consistency', seed, [0.5, control[seed]]))
    for run in runs:
        run['train_time_s'] = 1.0
    runs[-1]['segmenter_weights'] = {'guide': 'other'}  # seed 2: unpaired
    row, = arm_contrasts(runs, 'Judge/mIoU@last1')
    assert row['arm'] == 'both - consistency' and row['n'] == 2
    diffs = [0.05, -0.01]
    mean, low, high = row['Judge/mIoU@last1']
    assert mean == pytest.approx(0.02)
    half = t.ppf(0.975, 1) * stdev(diffs) / math.sqrt(2)
    assert (low, high) == pytest.approx((0.02 - half, 0.02 + half))
    assert row['Judge/mIoU@last1_above'] == 1
    content = write_results(str(tmp_path), runs, {}, 'Judge/mIoU@last2')
    assert content['contrasts'][0]['arm'] == 'both - consistency'
    text = (tmp_path / 'results.md').read_text()
    assert '## Between arms (Judge/mIoU@last2' in text
    assert '| pix2pix | both - consistency | 2 |' in text
    # the primary beside final, best, thing and stuff: both's final is
    # its last validation, its best the same here
    assert 'Judge/mIoU@best' in text and 'Judge/mIoU_thing@last2' in text
    last2 = [(0.5 + b) / 2 for b in both]
    assert f'| pix2pix | both | 3 | {sum(last2) / 3:.3f} ± ' in text


def test_learning_curve_is_the_seed_mean_at_spaced_shared_iterations(
        tmp_path):
    runs = [_run('baseline', 0, [0.1, 0.2, 0.3, 0.4, 0.5]),
            _run('baseline', 1, [0.3, 0.4, 0.5, 0.6, 0.7]),
            _run('both', 0, [0.5, 0.5, 0.6, 0.6, 0.9, 1.0])]
    table = learning_curve_table(runs, 'Judge/mIoU', columns=3)
    lines = table.splitlines()
    # iterations every run validated (100-500), every 2nd, the last kept
    assert lines[0].split('|')[4:7] == [' 100 ', ' 300 ', ' 500 ']
    assert '| pix2pix | baseline | 2 | 0.200 | 0.400 | 0.600 |' in table
    assert '| pix2pix | both | 1 | 0.500 | 0.600 | 0.900 |' in table
    assert learning_curve_table(runs, 'Judge/aAcc') == ''
    # a primary that averages the curve brings the table to the results
    for run in runs:
        run['train_time_s'] = 1.0
    text = write_results(str(tmp_path), runs, {},
                         'Judge/mIoU@last3')['markdown']
    assert '## Judge/mIoU along training (mean over seeds' in text
    assert '| pix2pix | baseline | 2 | 0.200 | 0.300 | 0.400 |' in text


def test_plateau_rule_on_the_smoothed_seed_mean():
    """3-validation moving averages, averaged over seeds; T = 800 and the
    last quarter starts at the validation nearest 600."""
    flat = [0.2, 0.3, 0.4, 0.5, 0.50, 0.51, 0.50, 0.51]
    late = [0.2, 0.3, 0.4, 0.5, 0.55, 0.60, 0.65, 0.70]
    check = plateau_check([_run('baseline', 0, flat),
                           _run('baseline', 1, flat)], 'Judge/mIoU')
    assert check['smoothed'][0] == [300, pytest.approx(0.3)]
    assert check['start'] == 600
    assert check['rise'] == pytest.approx((0.51 + 0.5 + 0.51) / 3 -
                                          (0.5 + 0.5 + 0.51) / 3)
    assert check['plateaued'] and check['below_max'] == pytest.approx(0)
    # one seed still climbing lifts the mean by more than 0.02
    check = plateau_check([_run('baseline', 0, flat),
                           _run('baseline', 1, late)], 'Judge/mIoU')
    assert check['rise'] > 0.02 and not check['plateaued']
    # flat over the last quarter but well below an earlier peak
    peaked = [0.2, 0.7, 0.7, 0.7] + [0.5] * 8
    check = plateau_check([_run('baseline', 0, peaked)], 'Judge/mIoU')
    assert check['rise'] == pytest.approx(0)
    assert check['below_max'] == pytest.approx(0.2)
    assert not check['plateaued']
    assert plateau_check([_run('baseline', 0, [0.1, 0.2])],
                         'Judge/mIoU') == {}


def test_holm_steps_down_and_counts_missing_comparisons():
    # 3 tests: .01 <= .05/3, .02 <= .05/2, .04 <= .05/1: all rejected
    assert holm([0.04, 0.01, 0.02]) == [True, True, True]
    # .03 > .05/2 stops the steps: .04 is not rejected either
    assert holm([0.01, 0.03, 0.04]) == [True, False, False]
    # a comparison without runs (NaN) still counts as a test
    assert holm([0.02, math.nan]) == [True, False]
    assert holm([0.03, math.nan]) == [False, False]


def test_paired_rows_carry_p_values_holm_and_sign_counts():
    base = [0.40, 0.50, 0.45, 0.42, 0.48]
    gains = [0.05, 0.02, 0.07, 0.04, -0.01]
    runs = [_run('baseline', s, [0.0, 0.0, b]) for s, b in enumerate(base)]
    runs += [_run('both', s, [0.0, 0.0, b + g])
             for s, (b, g) in enumerate(zip(base, gains))]
    row, = paired_differences(runs, 'Judge/mIoU@last3', secondary=(),
                              comparisons=3)
    diffs = [g / 3 for g in gains]  # the last 3 validations' mean
    assert row['Judge/mIoU@last3'][0] == pytest.approx(sum(diffs) / 5)
    assert row['Judge/mIoU@last3_p_t'] == pytest.approx(
        ttest_1samp(diffs, 0.0).pvalue)
    assert row['Judge/mIoU@last3_p_wilcoxon'] == pytest.approx(
        wilcoxon(diffs).pvalue)
    assert row['Judge/mIoU@last3_above'] == 4
    # p_t about .06 > .05/3: not rejected with 3 comparisons
    assert row['Judge/mIoU@last3_holm'] is False
    table = paired_table([row], 'Judge/mIoU@last3')
    assert '| 4/5 |' in table and 'Holm 5 %' in table


def test_sensitivity_columns_pair_the_other_scorings():
    """The primary metric with void pixels as errors / left out and by the
    second judge: paired like the primary, a table only where runs have
    them."""
    keys = sensitivity_metrics('Judge/mIoU@last3')
    assert keys == ('Judge/mIoU_void_error@last3',
                    'Judge/mIoU_void_ignored@last3', 'Judge2/mIoU@last3')
    runs = []
    for seed, base in enumerate([0.40, 0.50, 0.45]):
        for variant, gain in (('baseline', 0.0), ('both', 0.1 + seed / 100)):
            run = _run(variant, seed, [0.0, base + gain])
            run['curves']['Judge2/mIoU'] = [[100, 0.3], [200, 0.3 + gain / 2]]
            runs.append(run)
    row, = paired_differences(runs, 'Judge/mIoU@last2', sensitivity_metrics(
        'Judge/mIoU@last2'))
    assert row['Judge2/mIoU@last2'][0] == pytest.approx(0.055 / 2)
    # runs without void scores: no column, no NaN
    assert 'Judge/mIoU_void_error@last2' not in row
    table = sensitivity_table([row], 'Judge/mIoU@last2')
    assert 'Judge2/mIoU@last2 [95 % CI]' in table and 'void' not in table
    assert f"{row['Judge2/mIoU@last2'][0]:+.3f} [" in table
    row.pop('Judge2/mIoU@last2')
    assert sensitivity_table([row], 'Judge/mIoU@last2') == ''
