"""Activation functions and the derivatives backpropagation needs.

Each ``*_grad`` returns d activation / d x element-wise, evaluated at the input x.
"""

from __future__ import annotations

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    """max(0, x): cheap, and its gradient does not vanish for positive inputs.

    Notes: 001 "What does ReLu stand for?" —
    "output the input directly if it is positive, otherwise, it will output zero"

    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    return np.maximum(x, 0.0)


def relu_grad(x: np.ndarray) -> np.ndarray:
    """ReLU's derivative: 1 where x > 0, else 0 (the subgradient 0 is used at x = 0, as PyTorch does).

    Notes: 001 "Name other activation functions" — "due to the lack of vanishing gradient"

    >>> relu_grad(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 1.])
    """
    return (x > 0).astype(float)


def leaky_relu(x: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """x for x > 0, slope * x otherwise: the small slope keeps negative units learning.

    Notes: 003 "Activation" — "Introduces a small negative slope so that it won’t produce zero derivatives"

    >>> leaky_relu(np.array([-2.0, 3.0]))
    array([-0.02,  3.  ])
    """
    return np.where(x > 0, x, slope * x)


def leaky_relu_grad(x: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """1 for x > 0, ``slope`` otherwise.

    Notes: 001 "Name other activation functions" — "instead of the slope being zero, there is a small slope"

    >>> leaky_relu_grad(np.array([-2.0, 3.0]))
    array([0.01, 1.  ])
    """
    return np.where(x > 0, 1.0, slope)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), squashing any real number into (0, 1), computed without overflow.

    exp(-x) overflows for very negative x, so that side uses the equal form exp(x) / (1 + exp(x));
    both are written with exp(-|x|), which is always in (0, 1].

    Notes: 001 "What activation should you use for the output layer" —
    "limit the output value in the range of 0 to 1"

    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    e = np.exp(-np.abs(x))  # (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """s (1 - s) with s = sigmoid(x); at most 0.25, which is why deep sigmoid stacks vanish.

    Notes: 001 "Name other activation functions" — "sigmoid have vanishing gradient problems at the tails"

    >>> sigmoid_grad(np.array([0.0]))
    array([0.25])
    """
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return s * (1.0 - s)


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent: like sigmoid but zero-centred, with outputs in (-1, 1).

    Notes: 001 "Name other activation functions" — "limits the output range to -1 and 1"

    >>> tanh(np.array([0.0])).round(3)
    array([0.])
    """
    return np.tanh(x)


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """1 - tanh(x)^2: 1 at zero, vanishing in the tails.

    Notes: 001 "Name other activation functions" — "sigmoid have vanishing gradient problems at the tails"

    >>> tanh_grad(np.array([0.0]))
    array([1.])
    """
    return 1.0 - np.tanh(x) ** 2


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(x_i) / sum_j exp(x_j) along ``axis``: non-negative scores that sum to 1.

    Subtracting the maximum first changes nothing mathematically (it cancels in the ratio) but
    keeps exp() from overflowing for large logits.

    Notes: 004 "Multi headed attention" — "SoftMax —— probability between 0 and 1"

    >>> softmax(np.array([1000.0, 1000.0, -1000.0])).round(3)
    array([0.5, 0.5, 0. ])
    """
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian(s: np.ndarray) -> np.ndarray:
    """The (K, K) Jacobian d softmax_i / d x_j = s_i (delta_ij - s_j), given s = softmax(x) (K,).

    Expressed through the output s, as backpropagation uses it: no need to keep x around.

    Notes: 001 "How to build a 2 layer neural network?" — "Use dAL to calculate the derivative"

    >>> softmax_jacobian(np.array([0.5, 0.5]))
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    return np.diag(s) - np.outer(s, s)
