"""HMM forward algorithm and Viterbi against brute-force enumeration of every hidden state sequence."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from reference.hmm import forward_log_likelihood, viterbi


def random_hmm(n_states: int, n_symbols: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (
        rng.dirichlet(np.ones(n_states)),
        rng.dirichlet(np.ones(n_states), size=n_states),
        rng.dirichlet(np.ones(n_symbols), size=n_states),
    )


def joint_log_probs(start, transition, emission, observations) -> dict[tuple[int, ...], float]:
    """log P(path, observations) for every one of the S^T hidden paths."""
    out = {}
    for path in itertools.product(range(len(start)), repeat=len(observations)):
        p = start[path[0]] * emission[path[0], observations[0]]
        for t in range(1, len(observations)):
            p *= transition[path[t - 1], path[t]] * emission[path[t], observations[t]]
        out[path] = np.log(p) if p > 0 else -np.inf
    return out


CASES = [  # (states, symbols, length, seed)
    (2, 2, 1, 0),
    (2, 3, 5, 1),
    (3, 2, 6, 2),
    (3, 4, 7, 3),
    (4, 3, 6, 4),
]


@pytest.mark.parametrize(("n_states", "n_symbols", "length", "seed"), CASES)
def test_forward_equals_sum_over_paths(n_states: int, n_symbols: int, length: int, seed: int) -> None:
    start, transition, emission = random_hmm(n_states, n_symbols, seed)
    observations = np.random.default_rng(seed + 1).integers(n_symbols, size=length).tolist()
    brute = np.log(sum(np.exp(v) for v in joint_log_probs(start, transition, emission, observations).values()))
    assert forward_log_likelihood(start, transition, emission, observations) == pytest.approx(brute, rel=1e-10)


@pytest.mark.parametrize(("n_states", "n_symbols", "length", "seed"), CASES)
def test_viterbi_equals_best_path(n_states: int, n_symbols: int, length: int, seed: int) -> None:
    start, transition, emission = random_hmm(n_states, n_symbols, seed)
    observations = np.random.default_rng(seed + 1).integers(n_symbols, size=length).tolist()
    scores = joint_log_probs(start, transition, emission, observations)
    best_path = max(scores, key=scores.get)
    path, log_prob = viterbi(start, transition, emission, observations)
    assert tuple(path) == best_path
    assert log_prob == pytest.approx(scores[best_path], rel=1e-10)


def test_forbidden_transitions_are_respected() -> None:
    # State 0 can never follow state 1 and symbol 1 only comes from state 1: after the first 1, the
    # path must stay in state 1, even where state 0 would explain a 0 better.
    start = np.array([0.5, 0.5])
    transition = np.array([[0.5, 0.5], [0.0, 1.0]])
    emission = np.array([[0.9, 0.0, 0.1], [0.1, 0.5, 0.4]])
    path, _ = viterbi(start, transition, emission, [0, 1, 0, 0])
    assert path == [0, 1, 1, 1]
    scores = joint_log_probs(start, transition, emission, [0, 1, 0, 0])
    brute = np.log(sum(np.exp(v) for v in scores.values()))
    assert forward_log_likelihood(start, transition, emission, [0, 1, 0, 0]) == pytest.approx(brute)


def test_long_sequence_does_not_underflow() -> None:
    # 2000 symbols at probability <= 0.5 each: the raw likelihood is below 1e-600, its log is fine.
    start, transition, emission = random_hmm(3, 2, 0)
    observations = np.random.default_rng(0).integers(2, size=2000).tolist()
    log_likelihood = forward_log_likelihood(start, transition, emission, observations)
    assert np.isfinite(log_likelihood) and log_likelihood < -500
    assert np.isfinite(viterbi(start, transition, emission, observations)[1])
