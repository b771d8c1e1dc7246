"""reference.losses against torch.nn.functional, including extreme inputs."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    huber,
    mae,
    mse,
    softmax_cross_entropy,
)

rng = np.random.default_rng(0)
PRED, TARGET = rng.normal(scale=2.0, size=(4, 5)), rng.normal(size=(4, 5))
PROBS = np.array([0.9, 0.2, 0.6, 0.0, 1.0, 1e-30, 0.5])
LABELS = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.5])  # includes confidently wrong and soft targets
LOGITS = np.array([3.0, -2.0, 0.1, 1000.0, -1000.0, 40.0, 0.0])


def t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(a)


# (name, ours, torch's, args)
CASES = [
    ("mse", mse, F.mse_loss, (PRED, TARGET)),
    ("mae", mae, F.l1_loss, (PRED, TARGET)),
    ("huber", huber, F.huber_loss, (PRED, TARGET)),
    ("huber-0.5", lambda p, y: huber(p, y, 0.5), lambda p, y: F.huber_loss(p, y, delta=0.5), (PRED, TARGET)),
    ("huber-3", lambda p, y: huber(p, y, 3.0), lambda p, y: F.huber_loss(p, y, delta=3.0), (PRED, TARGET)),
    ("bce", binary_cross_entropy, F.binary_cross_entropy, (PROBS, LABELS)),
    ("bce-logits", binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, (LOGITS, LABELS)),
]


@pytest.mark.parametrize(("name", "ours", "theirs", "args"), CASES)
def test_matches_torch(
    name: str, ours: Callable[..., float], theirs: Callable[..., torch.Tensor], args: tuple[np.ndarray, ...]
) -> None:
    expected = theirs(*map(t, args)).item()
    assert ours(*args) == pytest.approx(expected, rel=1e-9), name


# (logits scale, N, K)
CE_CASES = [(1.0, 4, 3), (10.0, 6, 10), (1000.0, 3, 5), (0.0, 2, 4)]


@pytest.mark.parametrize(("scale", "n", "k"), CE_CASES)
def test_softmax_cross_entropy(scale: float, n: int, k: int) -> None:
    r = np.random.default_rng(1)
    logits, labels = scale * r.normal(size=(n, k)), r.integers(0, k, size=n)
    expected = F.cross_entropy(t(logits), t(labels)).item()
    assert softmax_cross_entropy(logits, labels) == pytest.approx(expected, rel=1e-9)


def test_logits_form_equals_probability_form_where_both_are_exact() -> None:
    z, y = np.array([-2.0, 0.3, 1.5]), np.array([0.0, 1.0, 1.0])
    assert binary_cross_entropy_with_logits(z, y) == pytest.approx(binary_cross_entropy(1 / (1 + np.exp(-z)), y))
