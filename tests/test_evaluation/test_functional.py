# Copyright (c) mmadvseg contributors. All rights reserved.
import numpy as np
import pytest
import torch
from scipy import linalg
from scipy.stats import ortho_group

from mmadvseg.evaluation.functional import (
    confusion_matrix,
    feature_statistics,
    frechet_distance,
    frechet_distance_from_features,
    kernel_inception_distance,
    polynomial_mmd2_unbiased,
    segmentation_scores,
    thing_stuff_scores,
    to_unit_rgb,
)


def _closed_form(mu1, var1, mu2, var2) -> float:
    """FD of Gaussians with simultaneously diagonalisable covariances."""
    return float(((mu1 - mu2)**2).sum() +
                 ((np.sqrt(var1) - np.sqrt(var2))**2).sum())


def _sqrtm_reference(mu1, sigma1, mu2, sigma2) -> float:
    """The textbook formula with scipy's sqrtm, float64 (what pytorch-fid
    computes on a well-conditioned problem)."""
    covmean = linalg.sqrtm(sigma1 @ sigma2).real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) -
                 2 * np.trace(covmean))


def test_frechet_distance_univariate():
    # N(0, 1) vs N(1, 4): 1 + (1 - 2)^2
    assert frechet_distance([0.], [[1.]], [1.], [[4.]]) == pytest.approx(2.0)


def test_frechet_distance_diagonal_gaussians():
    rng = np.random.default_rng(0)
    d = 128
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    var1, var2 = rng.uniform(0.01, 3, d), rng.uniform(0.01, 3, d)
    value = frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2))
    assert value == pytest.approx(
        _closed_form(mu1, var1, mu2, var2), rel=1e-10)


def test_frechet_distance_rotated_commuting_gaussians():
    rng = np.random.default_rng(1)
    d = 96
    q = ortho_group.rvs(d, random_state=2)
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    # include exact zeros: singular covariances
    var1 = np.concatenate([rng.uniform(0.1, 5, d - 10), np.zeros(10)])
    var2 = rng.uniform(0.1, 5, d)
    sigma1, sigma2 = q @ np.diag(var1) @ q.T, q @ np.diag(var2) @ q.T
    value = frechet_distance(mu1, sigma1, mu2, sigma2)
    assert value == pytest.approx(
        _closed_form(mu1, var1, mu2, var2), rel=1e-9)


def test_frechet_distance_general_matches_sqrtm():
    rng = np.random.default_rng(3)
    d = 48
    a, b = rng.normal(size=(d, d)), rng.normal(size=(d, d))
    sigma1, sigma2 = a @ a.T / d + 0.1 * np.eye(d), b @ b.T / d
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    assert frechet_distance(mu1, sigma1, mu2, sigma2) == pytest.approx(
        _sqrtm_reference(mu1, sigma1, mu2, sigma2), rel=1e-9)
    # symmetric in its arguments
    assert frechet_distance(mu1, sigma1, mu2, sigma2) == pytest.approx(
        frechet_distance(mu2, sigma2, mu1, sigma1), rel=1e-10)


def test_frechet_distance_accepts_float32_and_tensors():
    rng = np.random.default_rng(4)
    d = 16
    var1, var2 = rng.uniform(0.5, 2, d), rng.uniform(0.5, 2, d)
    mu = rng.normal(size=d)
    value = frechet_distance(
        torch.tensor(mu, dtype=torch.float32),
        torch.diag(torch.tensor(var1, dtype=torch.float32)),
        np.zeros(d, np.float32), np.diag(var2).astype(np.float32))
    assert isinstance(value, float)
    assert value == pytest.approx(
        _closed_form(mu, var1, np.zeros(d), var2), rel=1e-5)


@pytest.mark.parametrize('n1,n2,d', [(12, 9, 256), (300, 260, 64)])
def test_frechet_from_features_matches_statistics(n1, n2, d):
    """The Gram/SVD path (n <= d) and the covariance path (n > d) agree with
    the statistics form to float64 precision."""
    rng = np.random.default_rng(n1)
    f1 = rng.gamma(2.0, 0.2, size=(n1, d))
    f2 = rng.gamma(2.5, 0.2, size=(n2, d)) + 0.05
    expected = frechet_distance(*feature_statistics(f1),
                                *feature_statistics(f2))
    value = frechet_distance_from_features(f1, f2)
    assert value == pytest.approx(expected, rel=1e-10)
    assert value > 0


def test_frechet_distance_rank_deficient_is_real_and_consistent():
    """A few images in many dimensions: singular covariances; the result is
    a finite real number, 0 for identical sets, and both forms agree."""
    rng = np.random.default_rng(5)
    f1 = rng.random((10, 512)).astype(np.float32)
    f2 = rng.random((11, 512)).astype(np.float32) * 1.1
    stats1, stats2 = feature_statistics(f1), feature_statistics(f2)
    value = frechet_distance(*stats1, *stats2)
    assert isinstance(value, float) and np.isfinite(value)
    assert value == pytest.approx(
        frechet_distance_from_features(f1, f2), rel=1e-9)
    scale = np.trace(stats1[1])
    assert abs(frechet_distance(*stats1, *stats1)) < 1e-9 * scale
    assert abs(frechet_distance_from_features(f1, f1)) < 1e-9 * scale


def test_feature_statistics_float64():
    feats = np.random.default_rng(6).random((7, 5)).astype(np.float32)
    mu, sigma = feature_statistics(feats)
    assert mu.dtype == sigma.dtype == np.float64
    np.testing.assert_allclose(mu, feats.astype(np.float64).mean(0))
    np.testing.assert_allclose(sigma,
                               np.cov(feats.astype(np.float64), rowvar=False))


def test_frechet_distance_rejects_bad_input():
    with pytest.raises(ValueError, match='shape'):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))
    with pytest.raises(ValueError, match='non-finite'):
        frechet_distance(np.zeros(2), np.eye(2) * np.nan, np.zeros(2),
                         np.eye(2))
    with pytest.raises(ValueError, match='at least 2'):
        frechet_distance_from_features(np.zeros((1, 4)), np.zeros((3, 4)))


def _direct_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2, cubic kernel, written pair by pair (O(n^2) loops)."""
    d = x.shape[1]

    def k(a, b):
        return (float(a @ b) / d + 1)**3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j)
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n))
    return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n)


def test_polynomial_mmd2_matches_direct():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(14, 8)), rng.normal(0.3, 1.2, size=(11, 8))
    assert polynomial_mmd2_unbiased(x, y) == pytest.approx(
        _direct_mmd2(x, y), rel=1e-10)


def test_kid_full_subsets_equal_direct():
    """Subsets as large as both sets are permutations of everything: every
    subset gives the full-sample estimate."""
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(12, 6)), rng.normal(0.5, 1.0, size=(12, 6))
    mean, std = kernel_inception_distance(
        x, y, num_subsets=5, subset_size=100)
    assert mean == pytest.approx(_direct_mmd2(x, y), rel=1e-10)
    assert std == pytest.approx(0.0, abs=1e-10)


def test_kid_subsets_match_direct_on_the_same_draws():
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=(15, 6)), rng.normal(0.2, 1.1, size=(13, 6))
    mean, std = kernel_inception_distance(
        x, y, num_subsets=7, subset_size=5, seed=123)
    draws = np.random.default_rng(123)
    expected = []
    for _ in range(7):
        xi = draws.choice(15, 5, replace=False)
        yi = draws.choice(13, 5, replace=False)
        expected.append(_direct_mmd2(x[xi], y[yi]))
    assert mean == pytest.approx(np.mean(expected), rel=1e-10)
    assert std == pytest.approx(np.std(expected), rel=1e-10)


def test_kid_is_unbiased_enough_to_separate_distributions():
    rng = np.random.default_rng(10)
    same = kernel_inception_distance(
        rng.normal(size=(200, 16)), rng.normal(size=(200, 16)),
        num_subsets=20, subset_size=100)[0]
    shifted = kernel_inception_distance(
        rng.normal(size=(200, 16)), rng.normal(0.5, 1, size=(200, 16)),
        num_subsets=20, subset_size=100)[0]
    assert abs(same) < 0.1 * shifted


def test_confusion_matrix_counts():
    target = np.array([[0, 0, 1], [2, 2, 2]])
    pred = np.array([[0, 1, 1], [2, 0, 2]])
    cm = confusion_matrix(target, pred, 3)
    expected = np.zeros((3, 3), int)
    for t, p in zip(target.ravel(), pred.ravel()):
        expected[t, p] += 1
    np.testing.assert_array_equal(cm, expected)
    with pytest.raises(ValueError):
        confusion_matrix(target, pred, 2)


def test_segmentation_scores_by_hand():
    # reference: class 0 on 4 px, class 1 on 2 px, class 3 on 2 px;
    # prediction: 0 -> 0 0 0 1, 1 -> 1 1, 3 -> 0 3; class 2 absent
    target = np.array([0, 0, 0, 0, 1, 1, 3, 3])
    pred = np.array([0, 0, 0, 1, 1, 1, 0, 3])
    cm = confusion_matrix(target, pred, 4)
    scores = segmentation_scores(
        cm, groups=dict(thing=[0, 1], stuff=[2, 3]))
    iou0, iou1, iou3 = 3 / (4 + 4 - 3), 2 / (2 + 3 - 2), 1 / (2 + 1 - 1)
    assert scores['mIoU'] == pytest.approx((iou0 + iou1 + iou3) / 3)
    assert scores['aAcc'] == pytest.approx(6 / 8)
    assert scores['mIoU_thing'] == pytest.approx((iou0 + iou1) / 2)
    assert scores['aAcc_thing'] == pytest.approx(5 / 6)
    assert scores['mIoU_stuff'] == pytest.approx(iou3)  # class 2 left out
    assert scores['aAcc_stuff'] == pytest.approx(1 / 2)


def test_thing_stuff_scores_split_at_num_things():
    # the case above with classes 0-1 things, 2-3 stuff; thing/stuff
    # labels: reference T T T T T T S S, prediction T T T T T T T S
    target = np.array([0, 0, 0, 0, 1, 1, 3, 3])
    pred = np.array([0, 0, 0, 1, 1, 1, 0, 3])
    scores = thing_stuff_scores(
        confusion_matrix(target, pred, 4),
        confusion_matrix(target >= 2, pred >= 2, 2), num_things=2)
    assert scores['aAcc_thing'] == pytest.approx(5 / 6)
    assert scores['aAcc_stuff'] == pytest.approx(1 / 2)
    assert scores['aAcc_binary'] == pytest.approx(7 / 8)
    iou_thing, iou_stuff = 6 / (6 + 7 - 6), 1 / (2 + 1 - 1)
    assert scores['mIoU_binary'] == pytest.approx((iou_thing + iou_stuff) / 2)


def test_segmentation_scores_empty_group_is_nan():
    cm = confusion_matrix(np.zeros(4, int), np.zeros(4, int), 3)
    scores = segmentation_scores(cm, groups=dict(stuff=[2]))
    assert scores['mIoU'] == 1.0 and scores['aAcc'] == 1.0
    assert np.isnan(scores['mIoU_stuff']) and np.isnan(scores['aAcc_stuff'])


def test_to_unit_rgb():
    bgr = torch.zeros(1, 3, 2, 2)
    bgr[:, 0] = 255.  # blue
    bgr[:, 2] = 127.6  # red, between two 8-bit levels
    out = to_unit_rgb(bgr)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out[0, 2], torch.ones(2, 2))  # blue last
    torch.testing.assert_close(out[0, 0], torch.full((2, 2), 128 / 255))
    raw = to_unit_rgb(bgr, quantize=False)
    torch.testing.assert_close(raw[0, 0], torch.full((2, 2), 127.6 / 255))
    signed = to_unit_rgb(
        torch.full((3, 1, 1), -1.), channel_order='RGB', value_range=(-1, 1))
    torch.testing.assert_close(signed, torch.zeros(3, 1, 1))
    with pytest.raises(ValueError):
        to_unit_rgb(torch.zeros(1, 4, 2, 2))
