"""reference.activations and their derivatives against torch and torch.autograd."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference.activations import (
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_jacobian,
    tanh,
    tanh_grad,
)

X = np.concatenate([np.linspace(-6, 6, 25), [-800.0, -30.0, 30.0, 800.0]])  # 0 is at index 12

# (name, ours, our derivative, torch's)
CASES = [
    ("relu", relu, relu_grad, F.relu),
    ("leaky", leaky_relu, leaky_relu_grad, F.leaky_relu),
    (
        "leaky-0.2",
        lambda x: leaky_relu(x, 0.2),
        lambda x: leaky_relu_grad(x, 0.2),
        lambda x: F.leaky_relu(x, 0.2),
    ),
    ("sigmoid", sigmoid, sigmoid_grad, torch.sigmoid),
    ("tanh", tanh, tanh_grad, torch.tanh),
]


@pytest.mark.parametrize(("name", "ours", "our_grad", "theirs"), CASES)
def test_value_and_derivative_match_torch(
    name: str,
    ours: Callable[[np.ndarray], np.ndarray],
    our_grad: Callable[[np.ndarray], np.ndarray],
    theirs: Callable[[torch.Tensor], torch.Tensor],
) -> None:
    x = torch.tensor(X, requires_grad=True)
    y = theirs(x)
    y.sum().backward()  # element-wise functions: d sum / d x_i = f'(x_i)
    with np.errstate(over="raise", invalid="raise"):  # the stable forms must not overflow
        assert np.allclose(ours(X), y.detach().numpy(), atol=1e-12), name
        assert np.allclose(our_grad(X), x.grad.numpy(), atol=1e-12), name


# (shape, axis, scale)
SOFTMAX_CASES = [((5,), -1, 1.0), ((3, 4), 1, 10.0), ((3, 4), 0, 1.0), ((2, 3, 4), -1, 1000.0)]


@pytest.mark.parametrize(("shape", "axis", "scale"), SOFTMAX_CASES)
def test_softmax(shape: tuple[int, ...], axis: int, scale: float) -> None:
    x = scale * np.random.default_rng(0).normal(size=shape)
    assert np.allclose(softmax(x, axis), torch.softmax(torch.from_numpy(x), dim=axis).numpy())


def test_softmax_jacobian_matches_autograd() -> None:
    x = np.array([0.5, -1.0, 2.0, 0.0])
    expected = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), torch.from_numpy(x))
    assert np.allclose(softmax_jacobian(softmax(x)), expected.numpy())
