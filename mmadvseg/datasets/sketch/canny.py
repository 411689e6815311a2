# Copyright (c) mmadvseg contributors. All rights reserved.
"""Canny edge sketches (OpenCV), dark lines on white."""
import cv2
import numpy as np


def canny(img: np.ndarray,
          low: float = 50.0,
          high: float = 150.0,
          blur_sigma: float = 1.0,
          aperture: int = 3,
          l2_gradient: bool = True,
          thickness: int = 1) -> np.ndarray:
    """Canny sketch of an image.

    Args:
        img (np.ndarray): ``HxW`` gray or ``HxWx3`` BGR uint8 image.
        low (float): Lower hysteresis threshold (0-255 gradient units).
            Defaults to 50.
        high (float): Upper hysteresis threshold. Defaults to 150.
        blur_sigma (float): Gaussian pre-blur that suppresses texture and
            noise; 0 disables it. Defaults to 1.0.
        aperture (int): Sobel aperture, 3, 5 or 7. Defaults to 3.
        l2_gradient (bool): Use the L2 gradient norm. Defaults to True.
        thickness (int): Line width in pixels (edges are dilated by a
            ``thickness x thickness`` square). Defaults to 1.

    Returns:
        np.ndarray: ``HxW`` uint8 sketch, 255 = paper, 0 = ink.
    """
    if img.dtype != np.uint8:
        raise TypeError(f'canny expects a uint8 image, got {img.dtype}')
    if not low <= high:
        raise ValueError(f'low ({low}) must not exceed high ({high})')
    gray = img
    if img.ndim == 3:
        gray = img[..., 0] if img.shape[2] == 1 else cv2.cvtColor(
            img, cv2.COLOR_BGR2GRAY)
    if blur_sigma > 0:
        gray = cv2.GaussianBlur(gray, (0, 0), blur_sigma)
    edges = cv2.Canny(
        gray, low, high, apertureSize=aperture, L2gradient=l2_gradient)
    if thickness > 1:
        edges = cv2.dilate(edges, np.ones((thickness, thickness), np.uint8))
    return 255 - edges
