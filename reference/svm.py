"""Support vector machine trained by Platt's Sequential Minimal Optimization (SMO)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def kernel_matrix(a: np.ndarray, b: np.ndarray, kernel: str = "linear", gamma: float = 1.0) -> np.ndarray:
    """K[i, j] = k(a_i, b_j): the dot product (linear) or exp(-gamma |a_i - b_j|^2) (RBF, Gaussian).

    Notes: 003 "Machine Learning Basics" ("Support Vector Machine (SVM): use different kernels (linear,
    polynomial, Gaussian) to map data into a high-dimensional space, then find a linear separating
    hyperplane"); the kernel is that dot product in the high-dimensional space, never built explicitly.

    >>> kernel_matrix(np.array([[0.0, 0.0]]), np.array([[1.0, 1.0]]), "rbf", gamma=0.5).round(4)
    array([[0.3679]])
    """
    if kernel == "linear":
        return a @ b.T
    if kernel == "rbf":
        squared = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T
        return np.exp(-gamma * np.maximum(squared, 0.0))
    raise ValueError(f"unknown kernel {kernel!r}: use 'linear' or 'rbf'")


@dataclass
class SVC:
    """Binary soft-margin SVM: f(x) = sum_i alpha_i y_i k(x_i, x) + b, trained by SMO.

    Notes: 002 "Sequential Minimal Optimization (SMO) is an algorithm to solve the SVM Quadratic
    Programming (QP) problem efficiently (Platt, n.d.)" ... "by breaking it down into a smaller
    optimization problem at each step" (sections "Box Constraints", "Updating the Lagrangians",
    "The Algorithm"). Each step changes just two multipliers, which is the smallest change that keeps
    sum_i alpha_i y_i = 0, and solves that two-variable problem in closed form.

    >>> x = np.array([[0.0, 0.0], [0.0, 1.0], [3.0, 0.0], [3.0, 1.0]])
    >>> model = SVC(C=10.0).fit(x, np.array([0, 0, 1, 1]))
    >>> model.predict(np.array([[0.5, 0.5], [2.5, 0.5]])), round(float(model.decision_function(x[:1])[0]), 3)
    (array([0, 1]), -1.0)
    """

    C: float = 1.0
    kernel: str = "linear"
    gamma: float = 1.0
    tol: float = 1e-3
    seed: int = 0
    max_passes: int = 10_000  # a guard against cycling from rounding; converged runs stop far sooner
    classes_: np.ndarray = field(default_factory=lambda: np.array([]))
    support_vectors_: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    dual_coef_: np.ndarray = field(default_factory=lambda: np.array([]))  # alpha_i * y_i
    intercept_: float = 0.0

    def fit(self, x: np.ndarray, labels: np.ndarray) -> SVC:
        """Run Platt's outer loop until no multiplier violates the KKT conditions by more than tol."""
        x = np.asarray(x, dtype=np.float64)
        self.classes_ = np.unique(labels)
        if len(self.classes_) != 2:
            raise ValueError(f"SVC is binary; got {len(self.classes_)} classes")
        y = np.where(labels == self.classes_[1], 1.0, -1.0)
        gram = kernel_matrix(x, x, self.kernel, self.gamma)  # small data: precompute every k(x_i, x_j)
        alpha, b = self._smo(gram, y)
        support = alpha > 1e-8
        self.support_vectors_, self.dual_coef_, self.intercept_ = x[support], (alpha * y)[support], b
        return self

    def _smo(self, gram: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
        """Platt's SMO: pick a KKT violator, pair it with a second multiplier, optimise the pair.

        The outer loop alternates one sweep over all points with sweeps over the non-bound ones
        (0 < alpha < C), which are the ones most likely to still violate the KKT conditions.
        """
        n, C, eps = len(y), self.C, 1e-8
        rng = np.random.default_rng(self.seed)
        alpha, b = np.zeros(n), 0.0
        errors = -y.copy()  # E_i = f(x_i) - y_i, and f starts at 0

        def take_step(i1: int, i2: int) -> bool:
            nonlocal b
            if i1 == i2:
                return False
            a1, a2, y1, y2 = alpha[i1], alpha[i2], y[i1], y[i2]
            # Box constraints: 0 <= alpha <= C and a1*y1 + a2*y2 fixed put a2 on the segment [low, high].
            if y1 != y2:
                low, high = max(0.0, a2 - a1), min(C, C + a2 - a1)
            else:
                low, high = max(0.0, a1 + a2 - C), min(C, a1 + a2)
            if high - low < eps:
                return False
            eta = gram[i1, i1] + gram[i2, i2] - 2 * gram[i1, i2]  # curvature along the segment
            if eta <= eps:
                return False  # flat direction (duplicate points): Platt compares the ends; we skip the pair
            a2_new = float(np.clip(a2 + y2 * (errors[i1] - errors[i2]) / eta, low, high))
            if abs(a2_new - a2) < eps * (a2_new + a2 + eps):
                return False
            a1_new = a1 + y1 * y2 * (a2 - a2_new)
            d1, d2 = y1 * (a1_new - a1), y2 * (a2_new - a2)
            # The threshold that makes a non-bound multiplier's own KKT condition exact.
            b1 = b - errors[i1] - d1 * gram[i1, i1] - d2 * gram[i1, i2]
            b2 = b - errors[i2] - d1 * gram[i1, i2] - d2 * gram[i2, i2]
            if 0 < a1_new < C:
                b_new = b1
            elif 0 < a2_new < C:
                b_new = b2
            else:
                b_new = (b1 + b2) / 2
            errors[:] += d1 * gram[i1] + d2 * gram[i2] + (b_new - b)
            alpha[i1], alpha[i2], b = a1_new, a2_new, b_new
            return True

        def examine(i2: int) -> int:
            r2 = errors[i2] * y[i2]
            if not ((r2 < -self.tol and alpha[i2] < C) or (r2 > self.tol and alpha[i2] > 0)):
                return 0
            non_bound = np.flatnonzero((alpha > 0) & (alpha < C))
            # Second-choice heuristic: the partner with the largest |E1 - E2| takes the biggest step.
            if len(non_bound) > 1:
                i1 = int(non_bound[np.argmax(np.abs(errors[non_bound] - errors[i2]))])
                if take_step(i1, i2):
                    return 1
            # Otherwise any partner that makes progress, non-bound ones first, from a random start.
            for pool in (non_bound, np.arange(n)):
                for i1 in np.roll(pool, -int(rng.integers(max(len(pool), 1)))):
                    if take_step(int(i1), i2):
                        return 1
            return 0

        examine_all, changed, passes = True, 0, 0
        while (changed > 0 or examine_all) and passes < self.max_passes:
            passes += 1
            pool = range(n) if examine_all else np.flatnonzero((alpha > 0) & (alpha < C))
            changed = sum(examine(int(i)) for i in pool)
            if examine_all:
                examine_all = False
            elif changed == 0:
                examine_all = True
        return alpha, b

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """Signed score f(x); positive means ``classes_[1]``, |f| = 1 on the margin."""
        k = kernel_matrix(np.asarray(x, dtype=np.float64), self.support_vectors_, self.kernel, self.gamma)
        return k @ self.dual_coef_ + self.intercept_

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The class on the side of the hyperplane where x falls."""
        return np.where(self.decision_function(x) > 0, self.classes_[1], self.classes_[0])
