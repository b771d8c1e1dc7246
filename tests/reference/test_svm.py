"""SMO-trained SVM against scikit-learn's SVC (libsvm) on separable sets."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.svm import SVC as SklearnSVC

from reference.svm import SVC, kernel_matrix


def separable_blobs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs far enough apart to be linearly separable."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-2.0, 0.7, size=(n, 2)), rng.normal(2.0, 0.7, size=(n, 2))])
    return x, np.repeat([0, 1], n)


def ring(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """An inner disc and an outer ring: separable only with a nonlinear (RBF) kernel."""
    rng = np.random.default_rng(seed)
    radius = np.concatenate([rng.uniform(0, 1, n), rng.uniform(2, 3, n)])
    angle = rng.uniform(0, 2 * np.pi, 2 * n)
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]), np.repeat([-1, 1], n)


CASES = [  # (dataset, kernel, C, gamma)
    pytest.param(separable_blobs(20, 0), "linear", 10.0, 1.0, id="blobs-linear-hard"),
    pytest.param(separable_blobs(40, 1), "linear", 0.1, 1.0, id="blobs-linear-soft"),
    pytest.param(separable_blobs(30, 2), "rbf", 1.0, 0.5, id="blobs-rbf"),
    pytest.param(ring(30, 3), "rbf", 10.0, 1.0, id="ring-rbf"),
]


@pytest.mark.parametrize(("data", "kernel", "C", "gamma"), CASES)
def test_same_decisions_as_sklearn(data: tuple[np.ndarray, np.ndarray], kernel: str, C: float, gamma: float) -> None:
    x, y = data
    ours = SVC(C=C, kernel=kernel, gamma=gamma, tol=1e-4).fit(x, y)
    theirs = SklearnSVC(C=C, kernel=kernel, gamma=gamma, tol=1e-6).fit(x, y)
    grid = np.stack(np.meshgrid(np.linspace(-4, 4, 25), np.linspace(-4, 4, 25)), -1).reshape(-1, 2)
    for points in (x, grid):
        ours_f, theirs_f = ours.decision_function(points), theirs.decision_function(points)
        # The dual optimum is unique in f, so values agree up to the solvers' tolerances.
        np.testing.assert_allclose(ours_f, theirs_f, atol=5e-3)
        clear = np.abs(theirs_f) > 1e-2  # points on the boundary itself may fall either way
        np.testing.assert_array_equal(ours.predict(points)[clear], theirs.predict(points)[clear])
    assert (ours.predict(x) == y).all()


def test_linear_margin_support_vectors_sit_on_the_margin() -> None:
    # Hard margin on 4 points: the separator is x0 = 1.5 and the margin half-width is 1.5, so
    # w = (1/1.5, 0), b = -1 and the four points are exactly at f = -1, -1, +1, +1.
    x = np.array([[0.0, 0.0], [0.0, 1.0], [3.0, 0.0], [3.0, 1.0]])
    model = SVC(C=100.0).fit(x, np.array([0, 0, 1, 1]))
    np.testing.assert_allclose(model.decision_function(x), [-1, -1, 1, 1], atol=1e-3)


def test_rbf_kernel_matches_definition() -> None:
    a, b = np.random.default_rng(0).normal(size=(3, 2)), np.random.default_rng(1).normal(size=(4, 2))
    expected = np.exp(-0.3 * ((a[:, None] - b[None]) ** 2).sum(2))
    np.testing.assert_allclose(kernel_matrix(a, b, "rbf", 0.3), expected)


def test_rejects_more_than_two_classes() -> None:
    with pytest.raises(ValueError, match="binary"):
        SVC().fit(np.zeros((3, 1)), np.array([0, 1, 2]))
