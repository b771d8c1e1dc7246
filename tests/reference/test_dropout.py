"""reference.dropout: the inverted-dropout contract (torch's masks come from another generator)."""

from __future__ import annotations

import numpy as np
import pytest

from reference.dropout import dropout

CASES = [0.1, 0.5, 0.8]


@pytest.mark.parametrize("p", CASES)
def test_drop_rate_and_scaling(p: float) -> None:
    x = np.random.default_rng(0).uniform(1.0, 2.0, size=200_000)  # never zero, so zeros mean "dropped"
    y = dropout(x, p, np.random.default_rng(1))
    kept = y != 0
    assert abs((1 - kept.mean()) - p) < 0.01
    assert np.allclose(y[kept], x[kept] / (1 - p))
    assert abs(y.mean() - x.mean()) < 0.02 * x.mean()  # expectation preserved, as torch's dropout does


@pytest.mark.parametrize("p", CASES)
def test_eval_mode_is_identity(p: float) -> None:
    x = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(dropout(x, p, np.random.default_rng(0), training=False), x)


def test_edges_and_reproducibility() -> None:
    x = np.ones((3, 4))
    assert np.array_equal(dropout(x, 0.0, np.random.default_rng(0)), x)
    assert np.array_equal(dropout(x, 1.0, np.random.default_rng(0)), np.zeros_like(x))
    assert np.array_equal(dropout(x, 0.3, np.random.default_rng(7)), dropout(x, 0.3, np.random.default_rng(7)))
    with pytest.raises(ValueError):
        dropout(x, 1.5, np.random.default_rng(0))
