# Copyright (c) mmadvseg contributors. All rights reserved.
"""Numerics of the evaluation metrics: FID, KID and segmentation scores.

Everything is computed in float64 with NumPy. The Fréchet distance never goes
through a non-symmetric matrix square root (``scipy.linalg.sqrtm``, which
pytorch-fid uses, is slow on 2048x2048 and can return complex values): with
PSD covariances ``tr sqrt(S1 S2)`` equals the sum of the square roots of the
eigenvalues of the symmetric PSD matrix ``S1^(1/2) S2 S1^(1/2)``, and, from
features with fewer samples than dimensions, the nuclear norm of
``X1c X2c^T / sqrt((n1 - 1)(n2 - 1))`` (centred feature matrices), which is
exact and needs only an SVD of an n1 x n2 matrix.
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch

ArrayLike = Union[np.ndarray, torch.Tensor, Sequence]


def _as_f64(x: ArrayLike) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().double().numpy()
    return np.asarray(x, dtype=np.float64)


def _as_features(feats: ArrayLike, name: str) -> np.ndarray:
    feats = _as_f64(feats)
    if feats.ndim != 2:
        raise ValueError(f'{name} must be (num_images, dim), got shape '
                         f'{feats.shape}')
    if feats.shape[0] < 2:
        raise ValueError(f'{name}: at least 2 images are needed, got '
                         f'{feats.shape[0]}')
    if not np.isfinite(feats).all():
        raise ValueError(f'{name} contains non-finite values')
    return feats


def feature_statistics(feats: ArrayLike) -> Tuple[np.ndarray, np.ndarray]:
    """Mean and unbiased covariance of features, in float64.

    Same as pytorch-fid's ``np.mean(act, axis=0)`` and
    ``np.cov(act, rowvar=False)``.

    Args:
        feats (array-like): (N, D) features, N >= 2.

    Returns:
        tuple[np.ndarray, np.ndarray]: mean (D,) and covariance (D, D).
    """
    feats = _as_features(feats, 'feats')
    return feats.mean(axis=0), np.cov(feats, rowvar=False)


def _clean_eigvals(w: np.ndarray) -> np.ndarray:
    """Zero the eigenvalues of a PSD matrix that are rounding noise.

    Below ``max(w) * len(w) * eps`` (NumPy's ``matrix_rank`` tolerance) an
    eigenvalue cannot be told from 0; keeping it would add the square roots
    of noise (~1e-9 each, thousands of them for rank-deficient covariances
    of a few hundred images) to the trace.
    """
    tol = max(w.max(initial=0.0), 0.0) * w.size * np.finfo(np.float64).eps
    return np.where(w > tol, w, 0.0)


def _psd_sqrt(sigma: np.ndarray) -> np.ndarray:
    """Symmetric square root of a (numerically) PSD matrix."""
    w, v = np.linalg.eigh((sigma + sigma.T) / 2)
    return (v * np.sqrt(_clean_eigvals(w))) @ v.T


def frechet_distance(mu1: ArrayLike, sigma1: ArrayLike, mu2: ArrayLike,
                     sigma2: ArrayLike) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2).

    ``||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))`` in float64,
    with ``tr((S1 S2)^(1/2)) = sum(sqrt(eigvalsh(S1^(1/2) S2 S1^(1/2))))``
    (eigenvalues at rounding-noise level, negative ones included, count as
    0). The result is always a finite real number >= 0.

    Args:
        mu1 (array-like): (D,) mean of the first distribution.
        sigma1 (array-like): (D, D) covariance of the first distribution.
        mu2 (array-like): (D,) mean of the second distribution.
        sigma2 (array-like): (D, D) covariance of the second distribution.

    Returns:
        float: The squared Fréchet distance (what "FID" reports).
    """
    mu1, mu2 = np.atleast_1d(_as_f64(mu1)), np.atleast_1d(_as_f64(mu2))
    sigma1, sigma2 = np.atleast_2d(_as_f64(sigma1)), np.atleast_2d(
        _as_f64(sigma2))
    d = mu1.shape[0]
    if mu1.shape != (d, ) or mu2.shape != (d, ):
        raise ValueError(f'mean shapes differ: {mu1.shape} vs {mu2.shape}')
    if sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ValueError(f'covariance shapes {sigma1.shape} and '
                         f'{sigma2.shape} do not match dimension {d}')
    for name, arr in (('mu1', mu1), ('sigma1', sigma1), ('mu2', mu2),
                      ('sigma2', sigma2)):
        if not np.isfinite(arr).all():
            raise ValueError(f'{name} contains non-finite values')
    root1 = _psd_sqrt(sigma1)
    middle = root1 @ ((sigma2 + sigma2.T) / 2) @ root1
    eigvals = np.linalg.eigvalsh((middle + middle.T) / 2)
    tr_covmean = np.sqrt(_clean_eigvals(eigvals)).sum()
    diff = mu1 - mu2
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean
    return float(max(value, 0.0))


def frechet_distance_from_features(feats1: ArrayLike,
                                   feats2: ArrayLike) -> float:
    """Fréchet distance between the Gaussians fitted to two feature sets.

    Equal (up to float64 rounding) to
    ``frechet_distance(*feature_statistics(feats1), *feature_statistics(
    feats2))``. When both sets have at most D samples (the usual case here:
    100-500 test images, D = 2048) the trace term is the nuclear norm of
    ``X1c X2c^T / sqrt((n1 - 1)(n2 - 1))``: milliseconds instead of seconds.

    Args:
        feats1 (array-like): (N1, D) features.
        feats2 (array-like): (N2, D) features.

    Returns:
        float: The squared Fréchet distance.
    """
    f1, f2 = _as_features(feats1, 'feats1'), _as_features(feats2, 'feats2')
    (n1, d), (n2, d2) = f1.shape, f2.shape
    if d != d2:
        raise ValueError(f'feature dimensions differ: {d} vs {d2}')
    if max(n1, n2) > d:
        return frechet_distance(*feature_statistics(f1),
                                *feature_statistics(f2))
    mu1, mu2 = f1.mean(axis=0), f2.mean(axis=0)
    x1, x2 = f1 - mu1, f2 - mu2
    tr1 = np.einsum('ij,ij->', x1, x1) / (n1 - 1)
    tr2 = np.einsum('ij,ij->', x2, x2) / (n2 - 1)
    svals = np.linalg.svd(x1 @ x2.T, compute_uv=False)
    tr_covmean = svals.sum() / np.sqrt((n1 - 1) * (n2 - 1))
    diff = mu1 - mu2
    value = diff @ diff + tr1 + tr2 - 2 * tr_covmean
    return float(max(value, 0.0))


def polynomial_mmd2_unbiased(x: ArrayLike,
                             y: ArrayLike,
                             degree: int = 3,
                             coef0: float = 1.0,
                             gamma: Optional[float] = None) -> float:
    """Unbiased MMD^2 with the polynomial kernel (the KID estimator).

    ``k(a, b) = (gamma * a.b + coef0) ** degree`` with ``gamma = 1 / D`` by
    default; the within-set sums exclude the diagonal.

    Args:
        x (array-like): (M, D) features of the first set.
        y (array-like): (M', D) features of the second set.
        degree (int): Kernel degree. Defaults to 3.
        coef0 (float): Kernel offset. Defaults to 1.
        gamma (float, optional): Kernel scale; ``1 / D`` if None.

    Returns:
        float: The unbiased MMD^2 estimate (can be slightly negative).
    """
    x, y = _as_features(x, 'x'), _as_features(y, 'y')
    m, n = x.shape[0], y.shape[0]
    gamma = 1.0 / x.shape[1] if gamma is None else gamma
    k_xx = (gamma * (x @ x.T) + coef0)**degree
    k_yy = (gamma * (y @ y.T) + coef0)**degree
    k_xy = (gamma * (x @ y.T) + coef0)**degree
    sum_xx = k_xx.sum() - np.trace(k_xx)
    sum_yy = k_yy.sum() - np.trace(k_yy)
    return float(sum_xx / (m * (m - 1)) + sum_yy / (n * (n - 1)) -
                 2 * k_xy.sum() / (m * n))


def kernel_inception_distance(real_feats: ArrayLike,
                              fake_feats: ArrayLike,
                              num_subsets: int = 100,
                              subset_size: int = 1000,
                              seed: int = 0) -> Tuple[float, float]:
    """KID: unbiased polynomial MMD^2 averaged over random subsets.

    Same estimator as clean-fid / torch-fidelity (cubic kernel
    ``(a.b / D + 1)^3``, 100 subsets of ``min(1000, N)`` by default). For
    each subset, the real indices are drawn first, then the fake ones, each
    with ``rng.choice(n, m, replace=False)`` from
    ``np.random.default_rng(seed)``; the subset size is
    ``min(subset_size, N_real, N_fake)``.

    Args:
        real_feats (array-like): (N_real, D) features of real images.
        fake_feats (array-like): (N_fake, D) features of generated images.
        num_subsets (int): Number of subsets. Defaults to 100.
        subset_size (int): Maximum subset size. Defaults to 1000.
        seed (int): Seed of the subset sampler. Defaults to 0.

    Returns:
        tuple[float, float]: Mean and standard deviation over subsets.
    """
    real = _as_features(real_feats, 'real_feats')
    fake = _as_features(fake_feats, 'fake_feats')
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f'feature dimensions differ: {real.shape[1]} vs '
                         f'{fake.shape[1]}')
    if num_subsets < 1:
        raise ValueError(f'num_subsets must be >= 1, got {num_subsets}')
    m = min(subset_size, real.shape[0], fake.shape[0])
    if m < 2:
        raise ValueError(f'subset size must be >= 2, got {m}')
    rng = np.random.default_rng(seed)
    values = np.empty(num_subsets)
    for i in range(num_subsets):
        x = real[rng.choice(real.shape[0], m, replace=False)]
        y = fake[rng.choice(fake.shape[0], m, replace=False)]
        values[i] = polynomial_mmd2_unbiased(x, y)
    return float(values.mean()), float(values.std())


def confusion_matrix(target: ArrayLike, pred: ArrayLike,
                     num_classes: int) -> np.ndarray:
    """Dense confusion matrix ``cm[target, pred]`` (int64).

    Args:
        target (array-like): Integer labels (any shape) taken as reference.
        pred (array-like): Integer labels of the same shape.
        num_classes (int): Number of classes C; labels must be in [0, C).

    Returns:
        np.ndarray: (C, C) counts.
    """
    target = np.asarray(
        target.cpu() if isinstance(target, torch.Tensor) else target)
    pred = np.asarray(pred.cpu() if isinstance(pred, torch.Tensor) else pred)
    if target.shape != pred.shape:
        raise ValueError(f'label shapes differ: {target.shape} vs '
                         f'{pred.shape}')
    target, pred = target.ravel().astype(np.int64), pred.ravel().astype(
        np.int64)
    if target.size and (min(target.min(), pred.min()) < 0
                        or max(target.max(), pred.max()) >= num_classes):
        raise ValueError(f'labels must be in [0, {num_classes})')
    counts = np.bincount(
        target * num_classes + pred, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def segmentation_scores(cm: np.ndarray,
                        groups: Optional[Dict[str, Sequence[int]]] = None
                        ) -> Dict[str, float]:
    """mIoU and pixel accuracy from a confusion matrix, overall and by group.

    IoU of class c = ``cm[c, c] / (row_c + col_c - cm[c, c])``; classes that
    occur in neither the reference nor the prediction are left out of the
    means. Group pixel accuracy is the accuracy over pixels whose reference
    label is in the group. A score with no pixel to average over is NaN.

    Args:
        cm (np.ndarray): (C, C) confusion matrix, rows = reference labels.
        groups (dict, optional): Group name -> class indices, e.g.
            ``{'thing': range(80), 'stuff': range(80, 133)}``.

    Returns:
        dict[str, float]: ``mIoU``, ``aAcc`` and, per group ``g``,
        ``mIoU_g`` and ``aAcc_g``.
    """
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    rows, cols = cm.sum(axis=1), cm.sum(axis=0)
    union = rows + cols - tp
    present = union > 0
    iou = np.divide(tp, union, out=np.zeros_like(tp), where=present)

    def _mean_iou(idx: np.ndarray) -> float:
        sel = present[idx]
        return float(iou[idx][sel].mean()) if sel.any() else float('nan')

    def _acc(idx: np.ndarray) -> float:
        total = rows[idx].sum()
        return float(tp[idx].sum() / total) if total > 0 else float('nan')

    every = np.arange(cm.shape[0])
    scores = {'mIoU': _mean_iou(every), 'aAcc': _acc(every)}
    for name, idx in (groups or {}).items():
        idx = np.asarray(list(idx), dtype=np.int64)
        scores[f'mIoU_{name}'] = _mean_iou(idx)
        scores[f'aAcc_{name}'] = _acc(idx)
    return scores


def thing_stuff_scores(cm: np.ndarray, cm_binary: np.ndarray,
                       num_things: int) -> Dict[str, float]:
    """Panoptic-class scores overall, over things and over stuff, plus the
    thing-vs-stuff agreement.

    Args:
        cm (np.ndarray): (C, C) class confusion matrix, things first.
        cm_binary (np.ndarray): (2, 2) thing/stuff confusion matrix.
        num_things (int): Number of thing classes.

    Returns:
        dict[str, float]: ``mIoU``, ``aAcc``, ``mIoU_thing``, ``aAcc_thing``,
        ``mIoU_stuff``, ``aAcc_stuff``, ``mIoU_binary``, ``aAcc_binary``.
    """
    num_classes = np.asarray(cm).shape[0]
    scores = segmentation_scores(
        cm,
        groups=dict(
            thing=range(num_things), stuff=range(num_things, num_classes)))
    binary = segmentation_scores(cm_binary)
    scores['mIoU_binary'] = binary['mIoU']
    scores['aAcc_binary'] = binary['aAcc']
    return scores


def to_unit_rgb(images: torch.Tensor,
                channel_order: str = 'BGR',
                value_range: Tuple[float, float] = (0., 255.),
                quantize: bool = True) -> torch.Tensor:
    """Convert images to what the FID Inception takes: RGB float in [0, 1].

    With ``quantize`` the values are rounded to the 256 levels of an 8-bit
    image first, i.e. the result is what pytorch-fid reads back from the
    image saved as PNG (``ToTensor`` of uint8 = ``x / 255``).

    Args:
        images (Tensor): (N, 3, H, W) or (3, H, W) images.
        channel_order (str): ``'BGR'`` (mmagic's convention) or ``'RGB'``.
        value_range (tuple[float, float]): Range of the input values, e.g.
            ``(0, 255)`` for mmagic's destructed outputs or ``(-1, 1)``.
        quantize (bool): Round to 8-bit levels. Defaults to True.

    Returns:
        Tensor: float32 RGB images in [0, 1], same shape.
    """
    if channel_order not in ('BGR', 'RGB'):
        raise ValueError(f'channel_order must be BGR or RGB, got '
                         f'{channel_order!r}')
    if images.shape[-3] != 3:
        raise ValueError(f'expected 3 channels, got shape '
                         f'{tuple(images.shape)}')
    low, high = value_range
    x = (images.float() - low) / (high - low)
    x = x.clamp(0, 1)
    if quantize:
        x = torch.round(x * 255) / 255
    if channel_order == 'BGR':
        x = x.flip(-3)
    return x
