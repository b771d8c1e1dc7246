"""Sinusoidal positional encoding from "Attention Is All You Need"."""

from __future__ import annotations

import numpy as np


def sinusoidal_encoding(n_positions: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """Return a (T, D) table: sin on even feature indices, cos on odd ones.

    Attention is order-blind, so position must be added to the token embeddings. Pair i rotates
    at frequency 1 / base^(2i / D): fast pairs tell neighbours apart, slow pairs span long ranges,
    and PE[pos + k] is a fixed rotation of PE[pos], which makes relative offsets easy to learn.

    Notes: 004 "Positional Encoding" — "every even time stamp, use sin function"

    >>> pe = sinusoidal_encoding(4, 6)
    >>> pe.shape
    (4, 6)
    >>> np.round(pe[1, :2], 3)  # position 1, fastest pair: (sin 1, cos 1)
    array([0.841, 0.54 ])
    """
    positions = np.arange(n_positions)[:, None]  # (T, 1)
    pair_index = np.arange(0, d_model, 2)  # (ceil(D/2),) the "2i" of the formula
    angles = positions / base ** (pair_index / d_model)  # (T, ceil(D/2))
    table = np.zeros((n_positions, d_model))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, : d_model // 2])  # odd D has one more sin column than cos
    return table
