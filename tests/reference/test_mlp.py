"""reference.mlp: the two-layer network's gradients against torch's autograd, and that it learns XOR."""

from __future__ import annotations

import numpy as np
import torch

from reference.losses import binary_cross_entropy
from reference.mlp import TwoLayerNet

XOR_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])  # examples are columns
XOR_Y = np.array([[0.0, 1.0, 1.0, 0.0]])


def test_shapes_follow_the_notes_layout() -> None:
    net = TwoLayerNet.initialise(n_inputs=4, n_hidden=3, n_outputs=1, rng=np.random.default_rng(0))
    assert (net.w1.shape, net.b1.shape, net.w2.shape, net.b2.shape) == ((3, 4), (3, 1), (1, 3), (1, 1))
    assert not net.b1.any() and not net.b2.any() and net.w1.std() > 0
    a1, a2 = net.forward(np.ones((4, 5)))
    assert a1.shape == (3, 5) and a2.shape == (1, 5)


def test_backward_matches_autograd() -> None:
    rng = np.random.default_rng(1)
    net = TwoLayerNet.initialise(n_inputs=5, n_hidden=4, n_outputs=2, rng=rng, scale=0.5)
    x = rng.standard_normal((5, 7))
    y = (rng.random((2, 7)) > 0.5).astype(float)
    grads = net.backward(x, y)

    params = {name: torch.tensor(getattr(net, name), requires_grad=True) for name in ("w1", "b1", "w2", "b2")}
    a1 = torch.tanh(params["w1"] @ torch.tensor(x) + params["b1"])
    logits = params["w2"] @ a1 + params["b2"]
    # summed over output units, averaged over examples: what backward differentiates
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor(y), reduction="sum") / x.shape[1]
    loss.backward()
    for name, param in params.items():
        assert np.allclose(grads[name], param.grad.numpy(), atol=1e-10), name
    assert np.isclose(binary_cross_entropy(net.forward(x)[1], y) * y.shape[0], loss.item())


def test_fit_learns_xor() -> None:
    net = TwoLayerNet.initialise(n_inputs=2, n_hidden=4, n_outputs=1, rng=np.random.default_rng(0), scale=1.0)
    costs = net.fit(XOR_X, XOR_Y, learning_rate=1.0, iterations=2000)
    assert costs[-1] < 0.05 < costs[0]
    assert np.array_equal(net.predict(XOR_X), XOR_Y.astype(int))


def test_update_steps_against_the_gradient() -> None:
    net = TwoLayerNet.initialise(n_inputs=2, n_hidden=3, n_outputs=1, rng=np.random.default_rng(2))
    before = net.w1.copy()
    grads = {"w1": np.ones_like(net.w1)}
    net.update(grads, learning_rate=0.1)
    assert np.allclose(net.w1, before - 0.1)
