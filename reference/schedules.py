"""Learning-rate schedules as closed forms of the step (or epoch) number t = 0, 1, 2, ...

Each returns the learning rate to use at step t given the initial rate ``lr0``. Decaying the rate
lets training take large steps early and small, less noisy steps near a minimum.
"""

from __future__ import annotations

import math


def step_decay(lr0: float, t: int, step_size: int, gamma: float = 0.1) -> float:
    """Multiply the rate by ``gamma`` once every ``step_size`` steps (a staircase).

    Notes: 001 "Why the need for learning rate decay?" — "makes the lr smaller and hence the steps smaller"

    >>> [round(step_decay(1.0, t, step_size=2, gamma=0.5), 3) for t in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """
    return lr0 * gamma ** (t // step_size)


def exponential_decay(lr0: float, t: int, gamma: float = 0.95) -> float:
    """lr0 * gamma^t: shrink by the same factor every step.

    Notes: 001 "How is the learning rate alpha updated in LR decay" — "Alpha = 0.95 ^ epoch num"

    >>> round(exponential_decay(0.1, 2), 5)
    0.09025
    """
    return lr0 * gamma**t


def inverse_time_decay(lr0: float, t: int, k: float) -> float:
    """lr0 / (1 + k t): fast decay at first, then ever slower (a hyperbola, never reaching zero).

    Notes: 001 "How is the learning rate alpha updated in LR decay" — "(1/1+decay rate epoch num)alpha"

    >>> [round(inverse_time_decay(1.0, t, k=1.0), 3) for t in range(4)]
    [1.0, 0.5, 0.333, 0.25]
    """
    return lr0 / (1.0 + k * t)


def cosine_decay(lr0: float, t: int, t_max: int, lr_min: float = 0.0) -> float:
    """Half a cosine from lr0 at t=0 down to lr_min at t=t_max.

    It stays near lr0 for longer than exponential decay and flattens out near lr_min, spending more
    steps at both ends than in the middle.

    Notes: 001 "Why the need for learning rate decay?" — "using learning rate decay makes the lr smaller"

    >>> [round(cosine_decay(1.0, t, t_max=4), 3) for t in range(5)]
    [1.0, 0.854, 0.5, 0.146, 0.0]
    """
    return lr_min + (lr0 - lr_min) * (1.0 + math.cos(math.pi * t / t_max)) / 2.0
