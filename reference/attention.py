"""Scaled dot-product attention and multi-head attention in NumPy.

Masks follow the boolean convention of ``torch.nn.functional.scaled_dot_product_attention``:
True marks a (query, key) pair that may attend, False one that is blocked.
"""

from __future__ import annotations

import numpy as np


def causal_mask(n_tokens: int) -> np.ndarray:
    """Boolean (T, T) look-ahead mask: query t may attend to keys 0..t only.

    Autoregressive decoding must not see tokens it has yet to predict, so every key after the query
    is blocked.

    Notes: 003 "Transformer" — "masked self-attention in the decoder to block future tokens"

    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    return np.tril(np.ones((n_tokens, n_tokens), dtype=bool))  # (T, T)


def scaled_dot_product_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return (output, weights) of softmax(q k^T / sqrt(d)) v.

    Dividing by sqrt(d) keeps the dot products from growing with the head size, which would make
    the softmax too sharp. ``mask`` is boolean and broadcasts to (..., Tq, Tk); False blocks a key.
    A query whose keys are all blocked gets zero weights and a zero output (as in PyTorch), not NaN.

    Notes: 003 "Transformer" — "the factor is a scaling to avoid overly large dot products"

    >>> q = k = np.eye(2)                       # (Tq=2, d=2): each query matches one key
    >>> v = np.array([[1.0, 0.0], [0.0, 1.0]])  # (Tk=2, dv=2)
    >>> out, w = scaled_dot_product_attention(q, k, v, mask=causal_mask(2))
    >>> np.round(w, 3)
    array([[1.  , 0.  ],
           [0.33, 0.67]])
    """
    d = q.shape[-1]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d)  # (..., Tq, Tk)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    # Subtracting the row maximum keeps exp() from overflowing (it cancels in the ratio); a fully
    # blocked row has maximum -inf, so subtract 0 there and let its weights all come out 0.
    row_max = scores.max(axis=-1, keepdims=True)  # (..., Tq, 1)
    weights = np.exp(scores - np.where(np.isfinite(row_max), row_max, 0.0))
    total = weights.sum(axis=-1, keepdims=True)
    weights = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)  # (..., Tq, Tk)
    return weights @ v, weights  # (..., Tq, dv), (..., Tq, Tk)


def multi_head_attention(
    query: np.ndarray,
    key: np.ndarray,
    value: np.ndarray,
    w_q: np.ndarray,
    w_k: np.ndarray,
    w_v: np.ndarray,
    w_o: np.ndarray,
    n_heads: int,
    *,
    b_q: np.ndarray | None = None,
    b_k: np.ndarray | None = None,
    b_v: np.ndarray | None = None,
    b_o: np.ndarray | None = None,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """Multi-head attention over (B, T, E) inputs; weights are (E_out, E_in) like ``nn.Linear``.

    Each head attends in its own E / n_heads dimensional subspace, so different heads can learn to
    look for different things; their outputs are concatenated and mixed by ``w_o``. Use the same
    array for query, key and value for self-attention, or decoder states as query and encoder
    outputs as key/value for cross-attention. ``mask`` (Tq, Tk) is boolean, False blocks a key.

    Notes: 004 "Multi headed attention" — "Create query, key, value vectors"

    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(2, 5, 8))                       # (B, T, E)
    >>> w = [rng.normal(size=(8, 8)) for _ in range(4)]
    >>> multi_head_attention(x, x, x, *w, n_heads=2, mask=causal_mask(5)).shape
    (2, 5, 8)
    """
    batch, t_q, embed = query.shape
    t_k = key.shape[1]
    head_dim = embed // n_heads
    if head_dim * n_heads != embed:
        raise ValueError(f"embed dim {embed} is not divisible by n_heads={n_heads}")

    def project(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
        return x @ w.T if b is None else x @ w.T + b

    # (B, T, E) -> (B, T, h, hd) -> (B, h, T, hd): one attention problem per head.
    q = project(query, w_q, b_q).reshape(batch, t_q, n_heads, head_dim).transpose(0, 2, 1, 3)
    k = project(key, w_k, b_k).reshape(batch, t_k, n_heads, head_dim).transpose(0, 2, 1, 3)
    v = project(value, w_v, b_v).reshape(batch, t_k, n_heads, head_dim).transpose(0, 2, 1, 3)

    heads, _ = scaled_dot_product_attention(q, k, v, mask)  # (B, h, Tq, hd); mask broadcasts over B, h

    concat = heads.transpose(0, 2, 1, 3).reshape(batch, t_q, embed)  # (B, Tq, E)
    return project(concat, w_o, b_o)  # (B, Tq, E)
