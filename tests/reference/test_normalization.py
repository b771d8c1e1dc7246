"""reference.normalization against torch.nn.functional's batch/layer/group/instance norm."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference.normalization import batch_norm, group_norm, instance_norm, layer_norm

SHAPES = [(4, 3), (2, 6, 5, 5), (3, 4, 7), (1, 8, 2, 3)]  # (N, C), (N, C, H, W), (N, C, L)


def data(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(loc=3.0, scale=2.0, size=shape)
    return x, rng.normal(size=shape[1]), rng.normal(size=shape[1])


def t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(a)


@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm(shape: tuple[int, ...]) -> None:
    x, gamma, beta = data(shape)
    expected = F.batch_norm(t(x), None, None, t(gamma), t(beta), training=True, eps=1e-5)
    assert np.allclose(batch_norm(x, gamma, beta), expected.numpy())


@pytest.mark.parametrize("shape", SHAPES)
def test_layer_norm_over_all_but_batch(shape: tuple[int, ...]) -> None:
    x, _, _ = data(shape)
    rng = np.random.default_rng(1)
    gamma, beta = rng.normal(size=shape[1:]), rng.normal(size=shape[1:])
    expected = F.layer_norm(t(x), shape[1:], t(gamma), t(beta), eps=1e-5)
    assert np.allclose(layer_norm(x, gamma, beta), expected.numpy())


def test_layer_norm_last_axis_as_in_transformers() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 5, 8))  # (B, T, E)
    gamma, beta = rng.normal(size=8), rng.normal(size=8)
    expected = F.layer_norm(t(x), (8,), t(gamma), t(beta))
    assert np.allclose(layer_norm(x, gamma, beta, n_axes=1), expected.numpy())


# (shape, groups)
GROUP_CASES = [((2, 6, 5, 5), 3), ((2, 6, 5, 5), 1), ((2, 6, 5, 5), 6), ((3, 4, 7), 2), ((4, 8), 4)]


@pytest.mark.parametrize(("shape", "groups"), GROUP_CASES)
def test_group_norm(shape: tuple[int, ...], groups: int) -> None:
    x, gamma, beta = data(shape)
    expected = F.group_norm(t(x), groups, t(gamma), t(beta), eps=1e-5)
    assert np.allclose(group_norm(x, groups, gamma, beta), expected.numpy())


@pytest.mark.parametrize("shape", [s for s in SHAPES if len(s) > 2])
@pytest.mark.parametrize("affine", [False, True])
def test_instance_norm(shape: tuple[int, ...], affine: bool) -> None:
    x, gamma, beta = data(shape)
    if affine:
        got = instance_norm(x, gamma, beta)
        expected = F.instance_norm(t(x), weight=t(gamma), bias=t(beta), eps=1e-5)
    else:
        got = instance_norm(x)
        expected = F.instance_norm(t(x), eps=1e-5)
    assert np.allclose(got, expected.numpy())


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="groups"):
        group_norm(np.zeros((1, 6, 2, 2)), 4, np.ones(6), np.zeros(6))
    with pytest.raises(ValueError, match="spatial"):
        instance_norm(np.zeros((2, 3)))
