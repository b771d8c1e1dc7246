"""Batch, layer, group and instance normalization for (N, C) or (N, C, H, W) inputs.

All four compute (x - mean) / sqrt(var + eps) and then a learned per-channel scale and shift;
they differ only in which axes the mean and (biased) variance are taken over.
"""

from __future__ import annotations

import numpy as np


def batch_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Training-mode batch norm: statistics per channel over the batch and spatial axes.

    Each mini-batch is scaled by its own mean and variance, which keeps every layer's inputs in a
    stable range (and adds a little regularizing noise). ``gamma``/``beta`` have shape (C,).

    Notes: 001 "How to implement batchnorm" — "Z norm i = zi - miu / sqrt(var+ epsilon)"

    >>> x = np.array([[1.0, 10.0], [3.0, 30.0]])    # (N=2, C=2)
    >>> batch_norm(x, np.ones(2), np.zeros(2)).round(3)
    array([[-1., -1.],
           [ 1.,  1.]])
    """
    axes = (0, *range(2, x.ndim))  # N, H, W: everything except C
    mean = x.mean(axis=axes, keepdims=True)  # (1, C, 1, 1)
    var = x.var(axis=axes, keepdims=True)
    shape = (1, -1) + (1,) * (x.ndim - 2)  # gamma (C,) -> (1, C, 1, 1)
    return gamma.reshape(shape) * (x - mean) / np.sqrt(var + eps) + beta.reshape(shape)


def layer_norm(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    eps: float = 1e-5,
    n_axes: int | None = None,
) -> np.ndarray:
    """Normalize each sample over its last ``n_axes`` axes (default: all but the batch axis).

    The statistics never mix samples, so they do not depend on the batch size, which is why
    transformers use it on variable-length sequences; there ``n_axes=1`` normalizes each token's
    feature vector. ``gamma``/``beta`` have the shape of those last axes (``x.shape[-n_axes:]``).

    Notes: 003 "Normalization" — "Layer Norm (LN): normalizes across a single sample’s feature dimension (C)"

    >>> x = np.array([[1.0, 2.0, 3.0], [10.0, 10.0, 40.0]])   # (N=2, C=3)
    >>> layer_norm(x, np.ones(3), np.zeros(3)).round(3)
    array([[-1.225,  0.   ,  1.225],
           [-0.707, -0.707,  1.414]])
    """
    n_axes = x.ndim - 1 if n_axes is None else n_axes
    axes = tuple(range(x.ndim - n_axes, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)  # (N, 1, 1, 1)
    var = x.var(axis=axes, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta  # gamma broadcasts from the right


def group_norm(x: np.ndarray, n_groups: int, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Split the C channels into ``n_groups`` groups and normalize each group of each sample.

    It sits between layer norm (one group) and instance norm (C groups), and like them does not
    depend on the batch size, so it works with the small batches of detection and segmentation.

    Notes: 003 "Normalization" — "splits channels into G groups, normalizes each group, then concatenates"

    >>> x = np.array([[1.0, 3.0, 10.0, 30.0]])        # (N=1, C=4), two groups of two
    >>> group_norm(x, 2, np.ones(4), np.zeros(4)).round(3)
    array([[-1.,  1., -1.,  1.]])
    """
    n, c = x.shape[:2]
    if c % n_groups:
        raise ValueError(f"{c} channels cannot be split into {n_groups} equal groups")
    grouped = x.reshape(n, n_groups, c // n_groups, *x.shape[2:])  # (N, G, C/G, H, W)
    axes = tuple(range(2, grouped.ndim))
    mean = grouped.mean(axis=axes, keepdims=True)  # (N, G, 1, 1, 1)
    var = grouped.var(axis=axes, keepdims=True)
    normalized = ((grouped - mean) / np.sqrt(var + eps)).reshape(x.shape)  # back to (N, C, H, W)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return gamma.reshape(shape) * normalized + beta.reshape(shape)


def instance_norm(
    x: np.ndarray,
    gamma: np.ndarray | None = None,
    beta: np.ndarray | None = None,
    eps: float = 1e-5,
) -> np.ndarray:
    """Normalize each (sample, channel) map over its spatial axes; x is (N, C, H, W) or (N, C, L).

    Removing each image's own per-channel contrast is what style transfer wants. ``gamma`` and
    ``beta`` (C,) are optional because instance norm is often used without them.

    Notes: 003 "Normalization" — "Instance Norm (IN): normalizes only over H and W for each sample/channel"

    >>> x = np.array([[[[0.0, 2.0], [4.0, 6.0]]]])     # (N=1, C=1, H=2, W=2)
    >>> instance_norm(x).round(3)[0, 0]
    array([[-1.342, -0.447],
           [ 0.447,  1.342]])
    """
    if x.ndim < 3:
        raise ValueError(f"instance norm needs spatial axes after (N, C); got shape {x.shape}")
    axes = tuple(range(2, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)  # (N, C, 1, 1)
    var = x.var(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if gamma is not None:
        y = gamma.reshape(shape) * y
    if beta is not None:
        y = y + beta.reshape(shape)
    return y
