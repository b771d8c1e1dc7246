"""Patch extraction as a strided view, with no copying."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided


def extract_patches(image: np.ndarray, size: int, stride: int | None = None) -> np.ndarray:
    """Split an (H, W) or (H, W, C) image into a grid of size x size patches.

    Returns a read-only view of shape (nH, nW, size, size) or (nH, nW, size, size, C), where
    nH = (H - size) // stride + 1. ``as_strided`` only reinterprets the memory: moving one patch
    down skips ``stride`` rows, moving one pixel inside a patch skips one row, so no pixel is
    copied. ``stride`` defaults to ``size`` (non-overlapping patches, as a Vision Transformer
    uses); a smaller stride gives overlapping windows, as a convolution or pooling layer sees.
    The view is read-only because overlapping patches share memory.

    Notes: 000 "Native Patch Extraction" — "splits an input image into a regular grid of sub images"

    >>> img = np.arange(16).reshape(4, 4)     # (H, W)
    >>> p = extract_patches(img, 2)
    >>> p.shape
    (2, 2, 2, 2)
    >>> p[0, 1]                               # top-right patch
    array([[2, 3],
           [6, 7]])
    >>> extract_patches(np.zeros((4, 4, 3)), 2, stride=1).shape   # RGB, overlapping
    (3, 3, 2, 2, 3)
    """
    stride = size if stride is None else stride
    height, width = image.shape[:2]
    if size > height or size > width:
        raise ValueError(f"patch size {size} is larger than the image {image.shape[:2]}")
    n_h = (height - size) // stride + 1
    n_w = (width - size) // stride + 1
    row_step, col_step = image.strides[:2]  # bytes to the next row / column
    channels = image.shape[2:]  # () for grayscale, (C,) for RGB: kept whole in each patch
    return as_strided(
        image,
        shape=(n_h, n_w, size, size, *channels),
        strides=(stride * row_step, stride * col_step, row_step, col_step, *image.strides[2:]),
        writeable=False,
    )
