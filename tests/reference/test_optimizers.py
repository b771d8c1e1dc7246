"""reference.optimizers step by step against torch.optim on the same gradients."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

from reference.optimizers import SGD, Adam, RMSprop

STEPS = 6

# (name, reference factory, torch factory)
CASES: list[tuple[str, Callable[[], object], Callable[[list[torch.Tensor]], torch.optim.Optimizer]]] = [
    ("sgd", lambda: SGD(lr=0.1), lambda ps: torch.optim.SGD(ps, lr=0.1)),
    (
        "sgd-momentum",
        lambda: SGD(lr=0.05, momentum=0.9),
        lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
    ),
    ("rmsprop", lambda: RMSprop(lr=0.01), lambda ps: torch.optim.RMSprop(ps, lr=0.01)),
    (
        "rmsprop-rho",
        lambda: RMSprop(lr=0.003, rho=0.9, eps=1e-6),
        lambda ps: torch.optim.RMSprop(ps, lr=0.003, alpha=0.9, eps=1e-6),
    ),
    ("adam", lambda: Adam(lr=0.01), lambda ps: torch.optim.Adam(ps, lr=0.01)),
    (
        "adam-betas",
        lambda: Adam(lr=0.1, beta1=0.5, beta2=0.9, eps=1e-6),
        lambda ps: torch.optim.Adam(ps, lr=0.1, betas=(0.5, 0.9), eps=1e-6),
    ),
]


def gradient(p: np.ndarray) -> np.ndarray:
    """Gradient of sum(p^4 / 4 + sin p): non-quadratic, so step sizes matter."""
    return p**3 + np.cos(p)


@pytest.mark.parametrize(("name", "make_ours", "make_torch"), CASES)
def test_matches_torch_step_by_step(name: str, make_ours: Callable, make_torch: Callable) -> None:
    rng = np.random.default_rng(0)
    params = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    ours, theirs = make_ours(), make_torch(tensors)
    for _ in range(STEPS):
        ours.step(params, [gradient(p) for p in params])
        for t in tensors:
            t.grad = torch.from_numpy(gradient(t.detach().numpy()))
        theirs.step()
        for p, t in zip(params, tensors, strict=True):
            assert np.allclose(p, t.detach().numpy(), rtol=1e-10, atol=1e-12), name
