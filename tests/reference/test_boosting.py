"""Gradient boosting with stumps against scikit-learn's GradientBoostingRegressor(max_depth=1)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor as SklearnGBR

from reference.boosting import GradientBoostingRegressor, fit_stump

CASES = [  # (n_samples, n_features, n_estimators, learning_rate, seed)
    (50, 1, 20, 0.1, 0),
    (100, 3, 50, 0.1, 1),
    (80, 2, 30, 0.5, 2),
    (120, 4, 100, 0.05, 3),
]


def toy_regression(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A smooth nonlinear target plus noise; float32-exact inputs, since sklearn trees split in float32."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=(n, d)).astype(np.float32).astype(np.float64)
    y = np.sin(x[:, 0]) + 0.5 * x[:, -1] ** 2 + rng.normal(scale=0.1, size=n)
    return x, y


@pytest.mark.parametrize(("n", "d", "n_estimators", "learning_rate", "seed"), CASES)
def test_predictions_match_sklearn(n: int, d: int, n_estimators: int, learning_rate: float, seed: int) -> None:
    x, y = toy_regression(n, d, seed)
    x_test, _ = toy_regression(40, d, seed + 100)
    theirs = SklearnGBR(
        loss="squared_error",
        n_estimators=n_estimators,
        learning_rate=learning_rate,
        max_depth=1,
        random_state=0,
    ).fit(x, y)
    ours = GradientBoostingRegressor(n_estimators=n_estimators, learning_rate=learning_rate).fit(x, y)
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x), atol=1e-8)
    np.testing.assert_allclose(ours.predict(x_test), theirs.predict(x_test), atol=1e-8)


@pytest.mark.parametrize(("n", "d", "n_estimators", "learning_rate", "seed"), CASES)
def test_training_error_falls_with_rounds(n: int, d: int, n_estimators: int, learning_rate: float, seed: int) -> None:
    x, y = toy_regression(n, d, seed)
    errors = [
        np.mean((GradientBoostingRegressor(n_estimators=m, learning_rate=learning_rate).fit(x, y).predict(x) - y) ** 2)
        for m in (0, n_estimators // 2, n_estimators)
    ]
    assert errors[0] == pytest.approx(np.var(y))  # zero rounds: the mean
    assert errors[0] > errors[1] > errors[2]


def test_stump_picks_the_informative_feature() -> None:
    # Feature 1 separates the targets perfectly (threshold between 0.2 and 0.8); feature 0 is noise.
    x = np.array([[0.5, 0.1], [0.1, 0.2], [0.9, 0.8], [0.3, 0.9]])
    stump = fit_stump(x, np.array([-1.0, -1.0, 1.0, 1.0]))
    assert (stump.feature, stump.threshold, stump.left_value, stump.right_value) == (1, 0.5, -1.0, 1.0)
