"""Regression and classification losses, each averaged over all elements (``reduction="mean"``)."""

from __future__ import annotations

import numpy as np


def mse(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean squared error (L2 loss): squares make large errors dominate.

    Notes: 003 "Loss" — "L2 Loss: Mean Squared Error (MSE)"

    >>> mse(np.array([1.0, 2.0]), np.array([1.0, 4.0]))
    2.0
    """
    return float(np.mean((pred - target) ** 2))


def mae(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean absolute error (L1 loss): every unit of error costs the same, so outliers weigh less.

    Notes: 003 "Loss" — "L1 Loss: Mean Absolute Error (MAE)"

    >>> mae(np.array([1.0, 2.0]), np.array([1.0, 4.0]))
    1.0
    """
    return float(np.mean(np.abs(pred - target)))


def huber(pred: np.ndarray, target: np.ndarray, delta: float = 1.0) -> float:
    """Huber loss: 0.5 e^2 when |e| <= delta, else delta (|e| - 0.5 delta).

    Quadratic near zero (smooth gradients for small errors), linear beyond ``delta`` (bounded
    gradients for outliers); the two pieces meet with equal value and slope at |e| = delta.

    Notes: 003 "Loss" — "Huber Loss: uses L2 loss for small errors, L1 loss for large errors"

    >>> huber(np.array([0.5, 3.0]), np.zeros(2))   # (0.125 + 2.5) / 2
    1.3125
    """
    err = np.abs(pred - target)
    return float(np.mean(np.where(err <= delta, 0.5 * err**2, delta * (err - 0.5 * delta))))


def binary_cross_entropy(prob: np.ndarray, target: np.ndarray) -> float:
    """-[y log p + (1 - y) log(1 - p)] from probabilities p in [0, 1].

    log(0) would be -inf, so each log is floored at -100 (as PyTorch does): a confidently wrong
    prediction costs a large finite loss instead of inf or nan.

    Notes: 003 "Loss" — "for binary classification we usually combine a sigmoid with BCE"

    >>> round(binary_cross_entropy(np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 1.0])), 4)
    0.2798
    """
    with np.errstate(divide="ignore"):  # log(0) = -inf is expected here and floored just below
        log_p = np.maximum(np.log(np.clip(prob, 0.0, 1.0)), -100.0)
        log_not_p = np.maximum(np.log(np.clip(1.0 - prob, 0.0, 1.0)), -100.0)
    return float(np.mean(-(target * log_p + (1.0 - target) * log_not_p)))


def binary_cross_entropy_with_logits(logits: np.ndarray, target: np.ndarray) -> float:
    """Binary cross-entropy from logits z, i.e. BCE(sigmoid(z), y), without forming sigmoid(z).

    Rewriting the loss as max(z, 0) - z y + log(1 + exp(-|z|)) never exponentiates a large
    positive number and never takes log(0), so it stays exact for |z| in the hundreds.

    Notes: 003 "Loss" — "for binary classification we usually combine a sigmoid with BCE"

    >>> round(binary_cross_entropy_with_logits(np.array([1000.0, -1000.0]), np.array([1.0, 1.0])), 1)
    500.0
    """
    return float(np.mean(np.maximum(logits, 0.0) - logits * target + np.log1p(np.exp(-np.abs(logits)))))


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Multi-class cross-entropy from raw logits: mean of -log softmax(logits)[label], logits (N, K), labels (N,).

    -log softmax(z)_y = logsumexp(z) - z_y, and subtracting max(z) before exp() keeps logsumexp
    finite however large the logits are.

    Notes: 003 "Loss" — "for multi-class tasks we often combine softmax with cross entropy"

    >>> round(softmax_cross_entropy(np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), np.array([0, 2])), 4)
    0.6691
    """
    z_max = logits.max(axis=1, keepdims=True)  # (N, 1)
    log_sum_exp = z_max[:, 0] + np.log(np.exp(logits - z_max).sum(axis=1))  # (N,)
    picked = logits[np.arange(len(labels)), labels]  # (N,) logit of the true class
    return float(np.mean(log_sum_exp - picked))
