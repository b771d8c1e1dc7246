"""One time step of a vanilla RNN, an LSTM and a GRU, for a batch (N, input) -> (N, hidden).

Weights use PyTorch's layout: ``w_ih`` (G * H, I) and ``w_hh`` (G * H, H) stack the G gates' rows
in the order PyTorch uses (LSTM: input, forget, cell, output; GRU: reset, update, new), so the
arrays of ``torch.nn.LSTMCell`` and friends can be used as they are.
"""

from __future__ import annotations

import numpy as np


def rnn_cell(
    x: np.ndarray, h: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b_ih: np.ndarray, b_hh: np.ndarray
) -> np.ndarray:
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).

    The new state mixes the input with the previous state, which is how an RNN carries the past
    forward; the repeated multiplication by W_hh is also why its gradients vanish over long spans.

    Notes: 000 "Recurrent Neural Networks" — "consider the historical context of time-series data"

    >>> rng = np.random.default_rng(0)
    >>> x, h = rng.normal(size=(2, 3)), np.zeros((2, 4))              # (N, I), (N, H)
    >>> rnn_cell(x, h, rng.normal(size=(4, 3)), rng.normal(size=(4, 4)), np.zeros(4), np.zeros(4)).shape
    (2, 4)
    """
    return np.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)  # (N, H)


def lstm_cell(
    x: np.ndarray,
    h: np.ndarray,
    c: np.ndarray,
    w_ih: np.ndarray,
    w_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step; returns (h', c'). Weights are (4H, I) and (4H, H), gates in order i, f, g, o.

    i, f, o = sigmoid(...) and g = tanh(...);  c' = f * c + i * g;  h' = o * tanh(c').
    The cell state c is updated additively, gated by f, so gradients can flow through many steps
    without being squashed at each one.

    Notes: 000 "Introduction" —
    "contains a memory cell along with 3 gates: the input, output, and forget gates"

    >>> rng = np.random.default_rng(0)
    >>> x, h, c = rng.normal(size=(2, 3)), np.zeros((2, 4)), np.zeros((2, 4))
    >>> w_ih, w_hh = rng.normal(size=(16, 3)), rng.normal(size=(16, 4))
    >>> [a.shape for a in lstm_cell(x, h, c, w_ih, w_hh, np.zeros(16), np.zeros(16))]
    [(2, 4), (2, 4)]
    """
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh  # (N, 4H)
    i, f, g, o = np.split(gates, 4, axis=1)  # each (N, H)
    i, f, o = (1.0 / (1.0 + np.exp(-z)) for z in (i, f, o))  # input, forget, output gates
    g = np.tanh(g)  # candidate cell values
    c_next = f * c + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next


def gru_cell(
    x: np.ndarray, h: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b_ih: np.ndarray, b_hh: np.ndarray
) -> np.ndarray:
    """One GRU step; returns h'. Weights are (3H, I) and (3H, H), gates in order r, z, n.

    r = sigmoid(x W_ir + b_ir + h W_hr + b_hr),  z = sigmoid(x W_iz + b_iz + h W_hz + b_hz),
    n = tanh(x W_in + b_in + r * (h W_hn + b_hn)),  h' = (1 - z) * n + z * h.
    Two gates and no separate cell: z interpolates between keeping h and taking the candidate n,
    and r decides how much of h the candidate may see.

    Notes: 001 "LSTM vs GRU" — "GRU is simpler with two gates and easier to scale to larger networks"

    >>> rng = np.random.default_rng(0)
    >>> x, h = rng.normal(size=(2, 3)), np.zeros((2, 4))
    >>> gru_cell(x, h, rng.normal(size=(12, 3)), rng.normal(size=(12, 4)), np.zeros(12), np.zeros(12)).shape
    (2, 4)
    """
    x_r, x_z, x_n = np.split(x @ w_ih.T + b_ih, 3, axis=1)  # each (N, H)
    h_r, h_z, h_n = np.split(h @ w_hh.T + b_hh, 3, axis=1)  # each (N, H)
    r = 1.0 / (1.0 + np.exp(-(x_r + h_r)))  # reset gate
    z = 1.0 / (1.0 + np.exp(-(x_z + h_z)))  # update gate
    n = np.tanh(x_n + r * h_n)  # candidate state; r applies after W_hn, as in PyTorch
    return (1.0 - z) * n + z * h
