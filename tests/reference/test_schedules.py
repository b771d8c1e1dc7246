"""reference.schedules against torch.optim.lr_scheduler."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch.optim import lr_scheduler

from reference.schedules import cosine_decay, exponential_decay, inverse_time_decay, step_decay

LR0 = 0.5
STEPS = 12

# (name, ours: t -> lr, torch scheduler factory)
CASES: list[tuple[str, Callable[[int], float], Callable[[torch.optim.Optimizer], object]]] = [
    ("step", lambda t: step_decay(LR0, t, 3, 0.5), lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    ("step-default", lambda t: step_decay(LR0, t, 4), lambda o: lr_scheduler.StepLR(o, step_size=4)),
    ("exponential", lambda t: exponential_decay(LR0, t, 0.9), lambda o: lr_scheduler.ExponentialLR(o, 0.9)),
    (
        "inverse-time",
        lambda t: inverse_time_decay(LR0, t, 0.3),
        lambda o: lr_scheduler.LambdaLR(o, lambda t: 1.0 / (1.0 + 0.3 * t)),
    ),
    (
        "cosine",
        lambda t: cosine_decay(LR0, t, STEPS),
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=STEPS),
    ),
    (
        "cosine-floor",
        lambda t: cosine_decay(LR0, t, STEPS, lr_min=0.01),
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=STEPS, eta_min=0.01),
    ),
]


@pytest.mark.parametrize(("name", "ours", "make_scheduler"), CASES)
def test_matches_torch(name: str, ours: Callable[[int], float], make_scheduler: Callable) -> None:
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR0)
    scheduler = make_scheduler(optimizer)
    for t in range(STEPS + 1):
        assert ours(t) == pytest.approx(optimizer.param_groups[0]["lr"], rel=1e-9, abs=1e-12), (name, t)
        optimizer.step()
        scheduler.step()


def test_exponential_decay_is_a_product_of_equal_factors() -> None:
    lr = 0.2
    for t in range(1, 6):
        lr *= 0.95
        assert exponential_decay(0.2, t) == pytest.approx(lr)
