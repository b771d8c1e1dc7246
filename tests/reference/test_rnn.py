"""reference.rnn cells against torch's RNNCell, LSTMCell and GRUCell with the same weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from reference.rnn import gru_cell, lstm_cell, rnn_cell

CASES = [(1, 3, 4), (5, 8, 6), (2, 1, 10)]  # (N, input, hidden)


def weights(cell: torch.nn.Module) -> list[np.ndarray]:
    return [getattr(cell, name).detach().numpy() for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def inputs(n: int, i: int, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, i)), rng.normal(size=(n, h)), rng.normal(size=(n, h))


@pytest.mark.parametrize(("n", "i", "h"), CASES)
def test_rnn_cell(n: int, i: int, h: int) -> None:
    torch.manual_seed(0)
    cell = torch.nn.RNNCell(i, h, dtype=torch.float64)
    x, h0, _ = inputs(n, i, h)
    with torch.no_grad():
        expected = cell(torch.from_numpy(x), torch.from_numpy(h0)).numpy()
    assert np.allclose(rnn_cell(x, h0, *weights(cell)), expected)


@pytest.mark.parametrize(("n", "i", "h"), CASES)
def test_lstm_cell(n: int, i: int, h: int) -> None:
    torch.manual_seed(0)
    cell = torch.nn.LSTMCell(i, h, dtype=torch.float64)
    x, h0, c0 = inputs(n, i, h)
    with torch.no_grad():
        h_exp, c_exp = cell(torch.from_numpy(x), (torch.from_numpy(h0), torch.from_numpy(c0)))
    h1, c1 = lstm_cell(x, h0, c0, *weights(cell))
    assert np.allclose(h1, h_exp.numpy()) and np.allclose(c1, c_exp.numpy())


@pytest.mark.parametrize(("n", "i", "h"), CASES)
def test_gru_cell(n: int, i: int, h: int) -> None:
    torch.manual_seed(0)
    cell = torch.nn.GRUCell(i, h, dtype=torch.float64)
    x, h0, _ = inputs(n, i, h)
    with torch.no_grad():
        expected = cell(torch.from_numpy(x), torch.from_numpy(h0)).numpy()
    assert np.allclose(gru_cell(x, h0, *weights(cell)), expected)


def test_lstm_unrolled_over_a_sequence() -> None:
    """Several steps in a row agree with nn.LSTM, so the state is threaded correctly."""
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 5, batch_first=True, dtype=torch.float64)
    seq = np.random.default_rng(0).normal(size=(2, 7, 3))  # (N, T, I)
    with torch.no_grad():
        out, _ = lstm(torch.from_numpy(seq))
    w = [getattr(lstm, f"{name}_l0").detach().numpy() for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    h, c = np.zeros((2, 5)), np.zeros((2, 5))
    for step in range(7):
        h, c = lstm_cell(seq[:, step], h, c, *w)
        assert np.allclose(h, out[:, step].numpy())
