"""Gradient-descent optimizers: SGD with momentum, RMSprop and Adam.

Each ``step(params, grads)`` updates the arrays in ``params`` in place, as ``torch.optim`` does, and
keeps its per-parameter state (velocities, averages) in lists aligned with ``params``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class SGD:
    """Stochastic gradient descent, optionally with momentum: v = mu v + g; p -= lr v.

    Plain mini-batch steps zig-zag because each batch's gradient is noisy; the velocity ``v``
    accumulates an exponentially weighted sum of past gradients, so oscillating components cancel
    and the consistent direction builds up speed. momentum=0 gives plain SGD.

    Notes: 001 "Momentum gradient descent" — "smoothing out the movement using exponentially weighted average"

    >>> p = [np.array([1.0, -2.0])]
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.step(p, [2 * p[0]])        # gradient of sum(p^2)
    >>> np.round(p[0], 4)
    array([ 0.46, -0.92])
    """

    def __init__(self, lr: float, momentum: float = 0.0) -> None:
        self.lr = lr
        self.momentum = momentum
        self.velocity: list[np.ndarray] = []

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        if not self.velocity:
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.velocity, strict=True):
            v *= self.momentum
            v += g
            p -= self.lr * v


class RMSprop:
    """RMSprop: s = rho s + (1 - rho) g^2; p -= lr g / (sqrt(s) + eps).

    Dividing by the running root-mean-square of each coordinate's gradient shrinks steps along
    directions that oscillate with large gradients and enlarges them along flat directions, so one
    learning rate suits all coordinates. ``eps`` avoids division by zero.

    Notes: 001 "RMSprop" — "Sdw=betasdw + (1-beta)dw^2 (element wise)"

    >>> p = [np.array([1.0, -2.0])]
    >>> opt = RMSprop(lr=0.01)
    >>> opt.step(p, [2 * p[0]])
    >>> np.round(p[0], 3)            # first step is lr / sqrt(1 - rho) = 0.1 per coordinate
    array([ 0.9, -1.9])
    """

    def __init__(self, lr: float = 0.01, rho: float = 0.99, eps: float = 1e-8) -> None:
        self.lr = lr
        self.rho = rho
        self.eps = eps
        self.square_avg: list[np.ndarray] = []

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        if not self.square_avg:
            self.square_avg = [np.zeros_like(p) for p in params]
        for p, g, s in zip(params, grads, self.square_avg, strict=True):
            s *= self.rho
            s += (1 - self.rho) * g * g
            p -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam:
    """Adam: momentum on the gradient (m) and RMSprop on its square (v), both bias-corrected.

    m and v start at zero, so early averages are too small; dividing by (1 - beta^t) undoes that
    bias, which matters most in the first steps.

    Notes: 001 "What is Adam optimisation" — "combining momentum with RMSProp"

    >>> p = [np.array([1.0, -2.0])]
    >>> opt = Adam(lr=0.1)
    >>> opt.step(p, [2 * p[0]])
    >>> np.round(p[0], 4)            # bias correction makes the first step exactly lr * sign(g)
    array([ 0.9, -1.9])
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.t = 0
        self.m: list[np.ndarray] = []
        self.v: list[np.ndarray] = []

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        if not self.m:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v, strict=True):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1**self.t)
            v_hat = v / (1 - self.beta2**self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
