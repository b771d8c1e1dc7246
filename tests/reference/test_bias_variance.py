"""Bias-variance simulation against closed forms for least squares, and the decomposition identity."""

from __future__ import annotations

import numpy as np
import pytest

from reference.bias_variance import bias_variance_decomposition, polynomial_fit

X_TRAIN = np.linspace(-1, 1, 20)
X_TEST = np.linspace(-0.9, 0.9, 15)


def design(x: np.ndarray, degree: int) -> np.ndarray:
    return np.vander(x, degree + 1, increasing=True)


CASES = [  # (true function, degree, noise_std)
    (lambda x: 1.0 + 2.0 * x, 1, 0.5),  # the family contains f: no bias
    (lambda x: np.sin(3 * x), 1, 0.3),  # too simple: biased
    (lambda x: np.sin(3 * x), 3, 0.3),
    (lambda x: x**3 - x, 5, 0.2),
]


@pytest.mark.parametrize(("true_fn", "degree", "noise_std"), CASES)
def test_matches_least_squares_closed_form(true_fn, degree: int, noise_std: float) -> None:
    # Fixed design least squares: the mean fit is the projection of f onto the family, so
    # bias^2 = mean (H f(x_train) evaluated at x_test - f(x_test))^2, and the variance at x is
    # noise_std^2 * x^T (X^T X)^-1 x.
    result = bias_variance_decomposition(
        polynomial_fit(degree), true_fn, X_TRAIN, X_TEST, noise_std, n_datasets=2000, seed=degree
    )
    x_train, x_test = design(X_TRAIN, degree), design(X_TEST, degree)
    xtx_inv = np.linalg.inv(x_train.T @ x_train)
    mean_fit = x_test @ xtx_inv @ x_train.T @ true_fn(X_TRAIN)
    bias_sq = np.mean((mean_fit - true_fn(X_TEST)) ** 2)
    variance = noise_std**2 * np.mean(np.einsum("ij,jk,ik->i", x_test, xtx_inv, x_test))
    # Monte Carlo error of a variance estimate from 2000 draws is about sqrt(2/2000) ~ 3%.
    assert result.variance == pytest.approx(variance, rel=0.1)
    assert result.bias_sq == pytest.approx(bias_sq, abs=0.1 * variance + 1e-12 + 0.02 * bias_sq)
    assert result.noise == noise_std**2
    total = result.bias_sq + result.variance + result.noise
    assert result.expected_mse == pytest.approx(total, rel=0.05)


def test_tradeoff_more_flexible_models_trade_bias_for_variance() -> None:
    curve = np.sin  # smooth but not a low polynomial on [-3, 3]
    x_train, x_test = np.linspace(-3, 3, 15), np.linspace(-2.8, 2.8, 20)
    results = [
        bias_variance_decomposition(polynomial_fit(d), curve, x_train, x_test, 0.3, n_datasets=300) for d in (0, 3, 9)
    ]
    biases = [r.bias_sq for r in results]
    variances = [r.variance for r in results]
    assert biases[0] > biases[1] > biases[2]
    assert variances[0] < variances[1] < variances[2]


def test_constant_model_has_variance_noise_over_n() -> None:
    # Predicting the training mean: variance is noise_std^2 / n at every test point.
    result = bias_variance_decomposition(
        polynomial_fit(0), np.zeros_like, X_TRAIN, X_TEST, noise_std=1.0, n_datasets=4000
    )
    assert result.variance == pytest.approx(1.0 / len(X_TRAIN), rel=0.06)
    assert result.bias_sq < 0.01
