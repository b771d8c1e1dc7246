"""reference.autodiff: both modes against central differences."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reference.autodiff import Dual, Value, derivative

H = 1e-6

# One-variable functions written with Dual's operations; (f, x)
DUAL_CASES: list[tuple[Callable[[Dual], Dual], float]] = [
    (lambda x: x * x * x - 2 * x + 1, 1.5),
    (lambda x: x.sin() * x.exp(), 0.7),
    (lambda x: (x * x + 1).log() / x, 2.0),
    (lambda x: 1 / (1 + (-x).exp()), -0.3),
    (lambda x: x**2.5 - 3**x, 1.2),
    (lambda x: x**x, 1.7),  # the exponent varies too
    (lambda x: 5 - x / 3 + (2 * x).sin(), 0.4),
]


@pytest.mark.parametrize(("f", "x"), DUAL_CASES)
def test_forward_mode_matches_central_difference(f: Callable[[Dual], Dual], x: float) -> None:
    numeric = (f(Dual(x + H)).val - f(Dual(x - H)).val) / (2 * H)
    assert derivative(f, x) == pytest.approx(numeric, rel=1e-6, abs=1e-8)


# Several-variable functions written with Value's operations; (f, inputs)
VALUE_CASES: list[tuple[Callable[..., Value], list[float]]] = [
    (lambda a, b: a * b + a, [2.0, -3.0]),
    (lambda a, b: (a * b + a.exp()).tanh(), [0.5, -0.2]),
    (lambda a, b, c: (a * a + b * c - c**3).relu() / (1 + a**2), [1.2, 0.8, -0.5]),
    (lambda a, b: (a - b) ** 2 + (a / b) * a, [1.5, 2.5]),
    (lambda a: a * a * a + a, [0.3]),  # a node reused several times
    (lambda w, x, b: (w * x + b).tanh() * (w * x + b).exp(), [0.4, -1.1, 0.2]),
]


@pytest.mark.parametrize(("f", "inputs"), VALUE_CASES)
def test_reverse_mode_matches_central_difference(f: Callable[..., Value], inputs: list[float]) -> None:
    leaves = [Value(v) for v in inputs]
    f(*leaves).backward()
    for i, leaf in enumerate(leaves):
        up = [v + H if j == i else v for j, v in enumerate(inputs)]
        down = [v - H if j == i else v for j, v in enumerate(inputs)]
        numeric = (f(*map(Value, up)).data - f(*map(Value, down)).data) / (2 * H)
        assert leaf.grad == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_backward_twice_gives_the_same_gradients() -> None:
    a = Value(0.5)
    out = (a * a).tanh()
    out.backward()
    first = a.grad
    out.backward()
    assert a.grad == first


def test_deep_graph_needs_no_recursion() -> None:
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y + x
    y.backward()
    assert x.grad == 5001.0


def test_modes_agree() -> None:
    a = Value(0.9)
    ((a * a + 1).exp() * a).backward()
    assert a.grad == pytest.approx(derivative(lambda x: (x * x + 1).exp() * x, 0.9))
