"""reference.lora: zero-B equals the base layer, merge equals forward, the base weight stays frozen."""

from __future__ import annotations

import numpy as np
import pytest

from reference.lora import LoRALinear

# (out, in, r, alpha, bias, input shape prefix)
CASES = [
    (3, 4, 2, 4.0, True, (5,)),
    (8, 16, 4, 8.0, False, (2, 7)),
    (1, 1, 1, 1.0, True, (3,)),
    (32, 10, 8, 16.0, True, (4,)),
]


@pytest.mark.parametrize(("out_f", "in_f", "r", "alpha", "bias", "prefix"), CASES)
def test_lora_layer(out_f: int, in_f: int, r: int, alpha: float, bias: bool, prefix: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(out_f, in_f))
    b = rng.normal(size=out_f) if bias else None
    original = weight.copy()
    layer = LoRALinear(weight, b, r=r, alpha=alpha, rng=rng)
    x = rng.normal(size=(*prefix, in_f))
    base = x @ weight.T + (0.0 if b is None else b)

    assert np.allclose(layer(x), base)  # B = 0 at init
    assert np.allclose(layer.merged_weight(), weight)

    layer.lora_b = rng.normal(size=(out_f, r))  # as if trained
    merged = layer.merged_weight()
    assert np.allclose(layer(x), x @ merged.T + (0.0 if b is None else b))
    assert np.allclose(merged - weight, alpha / r * layer.lora_b @ layer.lora_a)
    assert np.linalg.matrix_rank(merged - weight) <= r
    assert np.array_equal(weight, original) and np.array_equal(layer.weight, original)
    assert layer.n_trainable() == r * (in_f + out_f)


def test_base_weight_is_read_only() -> None:
    layer = LoRALinear(np.eye(2), None, r=1, alpha=1.0, rng=np.random.default_rng(0))
    with pytest.raises(ValueError):
        layer.weight[0, 0] = 5.0
