"""reference.positional against the paper's formula written as loops, and its rotation property."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reference.positional import sinusoidal_encoding

CASES = [(10, 16), (7, 5), (1, 2), (50, 64)]  # (positions, d_model); 5 is odd


@pytest.mark.parametrize(("n_positions", "d_model"), CASES)
def test_matches_formula(n_positions: int, d_model: int) -> None:
    expected = np.zeros((n_positions, d_model))
    for pos in range(n_positions):
        for dim in range(d_model):
            angle = pos / 10000 ** ((dim - dim % 2) / d_model)
            expected[pos, dim] = math.sin(angle) if dim % 2 == 0 else math.cos(angle)
    assert np.allclose(sinusoidal_encoding(n_positions, d_model), expected)


def test_offset_is_a_rotation() -> None:
    """PE[pos + k] is PE[pos] rotated pair by pair by an angle that depends only on k."""
    pe = sinusoidal_encoding(40, 8)
    k = 3
    freqs = 1.0 / 10000 ** (np.arange(0, 8, 2) / 8)
    for pos in (0, 5, 20):
        sin_pos, cos_pos = pe[pos, 0::2], pe[pos, 1::2]
        sin_k, cos_k = np.sin(k * freqs), np.cos(k * freqs)
        assert np.allclose(pe[pos + k, 0::2], sin_pos * cos_k + cos_pos * sin_k)
        assert np.allclose(pe[pos + k, 1::2], cos_pos * cos_k - sin_pos * sin_k)
