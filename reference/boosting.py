"""Gradient boosting for regression with decision stumps and squared loss."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Stump:
    """A depth-1 regression tree: ``left_value`` where x[feature] <= threshold, else ``right_value``."""

    feature: int
    threshold: float
    left_value: float
    right_value: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Route each row to one of the two leaves."""
        return np.where(x[:, self.feature] <= self.threshold, self.left_value, self.right_value)


def fit_stump(x: np.ndarray, target: np.ndarray) -> Stump:
    """Best single split by squared error: each leaf predicts the mean target of its rows.

    Notes: 002 "Notes from (Friedman 2001)" ("Initial learner is a stump"). Tries every feature and
    every midpoint between consecutive distinct sorted values. Minimising the leaves' squared error
    equals maximising n_left * n_right / n * (mean_left - mean_right)^2, computed for all cut points
    at once from prefix sums.

    >>> fit_stump(np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([0.0, 0.0, 1.0, 1.0]))
    Stump(feature=0, threshold=2.5, left_value=0.0, right_value=1.0)
    """
    n = len(target)
    best = (-np.inf, 0, 0.0)  # (gain, feature, threshold)
    for feature in range(x.shape[1]):
        order = np.argsort(x[:, feature], kind="stable")
        values, sorted_target = x[order, feature], target[order]
        n_left = np.arange(1, n)
        mean_left = np.cumsum(sorted_target)[:-1] / n_left
        mean_right = (sorted_target.sum() - mean_left * n_left) / (n - n_left)
        gain = n_left * (n - n_left) / n * (mean_left - mean_right) ** 2
        gain[values[1:] == values[:-1]] = -np.inf  # no cut between equal values
        i = int(np.argmax(gain))
        if gain[i] > best[0]:
            best = (gain[i], feature, (values[i] + values[i + 1]) / 2)
    _, feature, threshold = best
    left = x[:, feature] <= threshold
    left_value = float(target[left].mean())
    right_value = float(target[~left].mean()) if (~left).any() else left_value
    return Stump(feature, float(threshold), left_value, right_value)


@dataclass
class GradientBoostingRegressor:
    """F(x) = mean(y) + learning_rate * sum of stumps, each fitted to the current residuals.

    Notes: 003 "Machine Learning Basics" ("Gradient Boosted Decision Trees (GBDT): builds decision trees
    in sequence, each new tree fitting the residual (negative gradient) from the previous model") and
    002 "Notes from (Friedman 2001)" ("Initial learner is a stump"). For squared loss
    L = (y - F)^2 / 2 the negative gradient is exactly the residual y - F, and the mean of each leaf
    is already the optimal step, so no line search is needed.

    >>> x = np.arange(8, dtype=float)[:, None]
    >>> model = GradientBoostingRegressor(n_estimators=50, learning_rate=0.5).fit(x, (x[:, 0] > 3) * 2.0)
    >>> model.predict(np.array([[0.0], [7.0]])).round(3)
    array([0., 2.])
    """

    n_estimators: int = 100
    learning_rate: float = 0.1
    init_: float = 0.0
    stumps_: list[Stump] = field(default_factory=list)

    def fit(self, x: np.ndarray, y: np.ndarray) -> GradientBoostingRegressor:
        """Start from the mean, then add one shrunken stump per round on what is still unexplained."""
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        self.init_ = float(y.mean())
        self.stumps_ = []
        prediction = np.full(len(y), self.init_)
        for _ in range(self.n_estimators):
            stump = fit_stump(x, y - prediction)
            self.stumps_.append(stump)
            prediction += self.learning_rate * stump.predict(x)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Sum the initial mean and every stump's shrunken vote."""
        x = np.asarray(x, dtype=np.float64)
        prediction = np.full(len(x), self.init_)
        for stump in self.stumps_:
            prediction += self.learning_rate * stump.predict(x)
        return prediction
