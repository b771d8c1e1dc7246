"""Bias-variance decomposition of expected squared error, estimated by simulation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

FitFn = Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]


@dataclass(frozen=True)
class BiasVariance:
    """Averages over test points; bias_sq + variance + noise should be close to expected_mse."""

    bias_sq: float
    variance: float
    noise: float
    expected_mse: float


def bias_variance_decomposition(
    fit: FitFn,
    true_fn: Callable[[np.ndarray], np.ndarray],
    x_train: np.ndarray,
    x_test: np.ndarray,
    noise_std: float,
    n_datasets: int = 200,
    seed: int = 0,
) -> BiasVariance:
    """Refit a model family on many training sets drawn from y = f(x) + noise and split its test error.

    Notes: 002 "Generalization Bias Variance Bias-Variance Tradeoff" ("we want them to generalize well
    to the distribution that we have sampled from ... However, we often do not know the true
    underlying distribution"). Here the distribution is known, so the expectations can be simulated:
    with p_bar(x) the mean prediction over training sets,
    bias^2 = mean_x (p_bar(x) - f(x))^2, variance = mean_x E[(p(x) - p_bar(x))^2], noise = noise_std^2,
    and E[(p(x) - y)^2] = bias^2 + variance + noise for fresh test labels y.
    ``fit(x, y)`` trains one model and returns its predict function.

    A model that always predicts 0 has no variance; its bias^2 is mean f(x)^2 = 1 for f = 1:

    >>> zero = lambda x, y: (lambda x_new: np.zeros(len(x_new)))
    >>> r = bias_variance_decomposition(zero, np.ones_like, np.zeros(5), np.zeros(3), noise_std=0.5)
    >>> r.bias_sq, r.variance, r.noise
    (1.0, 0.0, 0.25)
    """
    rng = np.random.default_rng(seed)
    f_train, f_test = true_fn(x_train), true_fn(x_test)
    predictions = np.empty((n_datasets, len(x_test)))
    squared_errors = np.empty((n_datasets, len(x_test)))
    for d in range(n_datasets):
        y_train = f_train + rng.normal(0.0, noise_std, size=len(x_train))
        predictions[d] = fit(x_train, y_train)(x_test)
        y_test = f_test + rng.normal(0.0, noise_std, size=len(x_test))  # fresh labels: noise counts too
        squared_errors[d] = (predictions[d] - y_test) ** 2
    mean_prediction = predictions.mean(axis=0)
    return BiasVariance(
        bias_sq=float(((mean_prediction - f_test) ** 2).mean()),
        variance=float(predictions.var(axis=0).mean()),
        noise=float(noise_std**2),
        expected_mse=float(squared_errors.mean()),
    )


def polynomial_fit(degree: int) -> FitFn:
    """A model family for the simulation: least-squares polynomials of one degree on 1-D inputs.

    Notes: 004 "Overfitting and Underfitting" ("Overfitting – model > data", "Underfitting – data >
    model"): low degrees underfit a curved f (high bias); high degrees chase the noise (high variance).

    >>> predict = polynomial_fit(1)(np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0]))
    >>> predict(np.array([3.0])).round(6)
    array([7.])
    """

    def fit(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        coefficients = np.polynomial.polynomial.polyfit(x, y, degree)
        return lambda x_new: np.polynomial.polynomial.polyval(x_new, coefficients)

    return fit
