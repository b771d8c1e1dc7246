"""reference.attention against torch's scaled_dot_product_attention and nn.MultiheadAttention."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference.attention import causal_mask, multi_head_attention, scaled_dot_product_attention

# (batch shape, Tq, Tk, d, mask)
SDPA_CASES = [
    ((), 4, 4, 8, None),
    ((2,), 5, 5, 4, "causal"),
    ((2, 3), 3, 6, 16, "random"),
    ((1,), 1, 7, 2, None),
    ((2,), 3, 4, 4, "blocked-row"),
]


def make_mask(kind: str | None, t_q: int, t_k: int, rng: np.random.Generator) -> np.ndarray | None:
    if kind == "causal":
        return causal_mask(t_q)
    if kind == "blocked-row":
        mask = np.ones((t_q, t_k), dtype=bool)
        mask[1] = False  # query 1 may attend to nothing
        return mask
    if kind == "random":
        mask = rng.random((t_q, t_k)) > 0.5
        mask[:, 0] = True  # every query keeps at least one key, else its row is undefined
        return mask
    return None


@pytest.mark.parametrize(("batch", "t_q", "t_k", "d", "mask_kind"), SDPA_CASES)
def test_sdpa_matches_torch(batch: tuple[int, ...], t_q: int, t_k: int, d: int, mask_kind: str | None) -> None:
    rng = np.random.default_rng(0)
    q = rng.normal(size=(*batch, t_q, d))
    k = rng.normal(size=(*batch, t_k, d))
    v = rng.normal(size=(*batch, t_k, d + 1))
    mask = make_mask(mask_kind, t_q, t_k, rng)
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    expected = F.scaled_dot_product_attention(
        torch.from_numpy(q),
        torch.from_numpy(k),
        torch.from_numpy(v),
        attn_mask=None if mask is None else torch.from_numpy(mask),
    )
    assert np.allclose(out, expected.numpy(), atol=1e-10)
    row_sums = weights.sum(axis=-1)  # 1 for every query that may attend to something, else 0
    assert np.allclose(row_sums, 1.0 if mask is None else mask.any(axis=-1))


def test_causal_mask_blocks_future() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 4))  # (T, d)
    _, weights = scaled_dot_product_attention(x, x, x, causal_mask(6))
    assert np.all(weights[np.triu_indices(6, k=1)] == 0.0)


# (B, Tq, Tk, E, heads, bias, causal)
MHA_CASES = [
    (2, 5, 5, 8, 2, True, False),
    (1, 4, 4, 12, 3, False, True),
    (3, 3, 6, 16, 4, True, False),  # cross-attention: Tk != Tq
    (2, 6, 6, 8, 1, True, True),
]


@pytest.mark.parametrize(("batch", "t_q", "t_k", "embed", "heads", "bias", "causal"), MHA_CASES)
def test_multi_head_matches_torch(
    batch: int, t_q: int, t_k: int, embed: int, heads: int, bias: bool, causal: bool
) -> None:
    torch.manual_seed(0)
    mha = torch.nn.MultiheadAttention(embed, heads, bias=bias, batch_first=True, dtype=torch.float64).eval()
    if bias:  # torch initialises biases to zero; make them matter
        with torch.no_grad():
            mha.in_proj_bias.normal_()
            mha.out_proj.bias.normal_()
    rng = np.random.default_rng(2)
    query = rng.normal(size=(batch, t_q, embed))
    key = rng.normal(size=(batch, t_k, embed))
    value = rng.normal(size=(batch, t_k, embed))
    mask = causal_mask(t_q) if causal else None

    w_q, w_k, w_v = np.split(mha.in_proj_weight.detach().numpy(), 3)
    biases = {}
    if bias:
        b_q, b_k, b_v = np.split(mha.in_proj_bias.detach().numpy(), 3)
        biases = {"b_q": b_q, "b_k": b_k, "b_v": b_v, "b_o": mha.out_proj.bias.detach().numpy()}
    out = multi_head_attention(
        query, key, value, w_q, w_k, w_v, mha.out_proj.weight.detach().numpy(), heads, mask=mask, **biases
    )
    with torch.no_grad():
        expected, _ = mha(
            torch.from_numpy(query),
            torch.from_numpy(key),
            torch.from_numpy(value),
            attn_mask=None if mask is None else torch.from_numpy(~mask),  # torch: True = blocked
        )
    assert np.allclose(out, expected.numpy(), atol=1e-10)


def test_multi_head_rejects_indivisible_heads() -> None:
    x = np.zeros((1, 2, 6))
    w = np.eye(6)
    with pytest.raises(ValueError, match="divisible"):
        multi_head_attention(x, x, x, w, w, w, w, n_heads=4)
