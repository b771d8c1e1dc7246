"""Hidden Markov models: the forward algorithm (sequence likelihood) and Viterbi decoding.

Parameters: ``start`` (S,) initial state probabilities, ``transition`` (S, S) with rows
transition[i, j] = P(next state j | state i), ``emission`` (S, O) with emission[i, o] = P(o | state i).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def forward_log_likelihood(
    start: np.ndarray, transition: np.ndarray, emission: np.ndarray, observations: Sequence[int]
) -> float:
    """log P(observations), summing over every hidden state path in O(T * S^2) instead of O(S^T).

    Notes: 002 "Hidden Markov Models provide a way of modeling the dynamics of sequential information"
    (speech, part-of-speech tagging, gesture recognition: each needs the likelihood of a sequence
    under a model). alpha_t(j) = P(o_1..o_t, state_t = j); it is rescaled to sum to 1 at each step,
    and the log of the scale factors adds up to the log-likelihood, which avoids underflow.

    One state that always emits symbol 0 with probability 0.5: three symbols have likelihood 1/8.

    >>> one = np.array([1.0])
    >>> round(forward_log_likelihood(one, np.array([[1.0]]), np.array([[0.5, 0.5]]), [0, 0, 1]), 6)
    -2.079442
    """
    alpha = start * emission[:, observations[0]]
    log_likelihood = 0.0
    for t in range(len(observations)):
        if t > 0:
            alpha = (alpha @ transition) * emission[:, observations[t]]
        scale = alpha.sum()
        if scale == 0:
            return float("-inf")
        log_likelihood += np.log(scale)
        alpha = alpha / scale
    return float(log_likelihood)


def viterbi(
    start: np.ndarray, transition: np.ndarray, emission: np.ndarray, observations: Sequence[int]
) -> tuple[list[int], float]:
    """Most probable hidden state path and its joint log-probability log P(path, observations).

    Notes: 002 "Hidden Markov Models" (decoding the hidden states behind a gesture or a sentence).
    Same recursion as the forward algorithm with max instead of sum, in log space; back-pointers
    record which previous state gave each max, and the path is read backwards from the best end.

    Weather (0 rainy, 1 sunny) from activity (0 walk, 1 shop, 2 clean):

    >>> start = np.array([0.6, 0.4])
    >>> transition = np.array([[0.7, 0.3], [0.4, 0.6]])
    >>> emission = np.array([[0.1, 0.4, 0.5], [0.6, 0.3, 0.1]])
    >>> path, log_prob = viterbi(start, transition, emission, [0, 1, 2])
    >>> path, round(float(np.exp(log_prob)), 5)
    ([1, 0, 0], 0.01344)
    """
    with np.errstate(divide="ignore"):  # log 0 = -inf marks impossible moves
        log_start, log_trans, log_emit = np.log(start), np.log(transition), np.log(emission)
    score = log_start + log_emit[:, observations[0]]  # (S,) best log-prob ending in each state
    back_pointers = []
    for obs in observations[1:]:
        candidates = score[:, None] + log_trans  # (S_prev, S_next)
        back_pointers.append(candidates.argmax(axis=0))
        score = candidates.max(axis=0) + log_emit[:, obs]
    path = [int(score.argmax())]
    for pointers in reversed(back_pointers):
        path.append(int(pointers[path[-1]]))
    return path[::-1], float(score.max())
