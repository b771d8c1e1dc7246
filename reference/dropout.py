"""Inverted dropout."""

from __future__ import annotations

import numpy as np


def dropout(x: np.ndarray, p: float, rng: np.random.Generator, training: bool = True) -> np.ndarray:
    """Zero each element with probability ``p`` and scale the survivors by 1 / (1 - p).

    Dropping random units stops the network from relying on any single feature. Scaling at
    training time ("inverted" dropout) keeps each unit's expected value equal to x, so evaluation
    (``training=False``) is the identity and needs no rescaling. ``rng`` is passed in so that the
    mask is reproducible.

    Notes: 001 "How does dropout regularisation work in NN" —
    "can’t rely on any one feature, so have to spread out of weight"

    >>> x = np.ones(8)
    >>> y = dropout(x, 0.5, np.random.default_rng(0))
    >>> sorted(set(y.tolist()))                            # dropped, or kept and doubled
    [0.0, 2.0]
    >>> bool(np.array_equal(dropout(x, 0.5, np.random.default_rng(0), training=False), x))
    True
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return np.zeros_like(x)
    keep = rng.random(x.shape) >= p  # True with probability 1 - p
    return np.where(keep, x / (1.0 - p), 0.0)
