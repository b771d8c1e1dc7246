"""Connectionist Temporal Classification: greedy decoding and the forward (alpha) loss."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def ctc_collapse(frame_labels: Sequence[int], blank: int = 0) -> list[int]:
    """Merge runs of the same label, then drop blanks: a blank between two equal labels keeps both.

    Notes: 001 flashcard "CTC" ("Rule: collapse repeated characters not separated by blank. If a
    character is related but separated by blank, it is included in the string").

    >>> ctc_collapse([1, 1, 0, 1, 2, 2, 0, 0, 3])
    [1, 1, 2, 3]
    """
    out: list[int] = []
    previous = None
    for label in frame_labels:
        if label != previous and label != blank:
            out.append(int(label))
        previous = label
    return out


def ctc_greedy_decode(log_probs: np.ndarray, blank: int = 0) -> list[int]:
    """Best-path decoding: the most probable label per frame (T, C), collapsed by the CTC rule.

    Notes: 001 flashcard "CTC" (the collapse rule above).

    >>> probs = np.array([[0.1, 0.8, 0.1], [0.2, 0.7, 0.1], [0.9, 0.05, 0.05], [0.1, 0.6, 0.3]])
    >>> ctc_greedy_decode(np.log(probs))
    [1, 1]
    """
    return ctc_collapse(np.argmax(log_probs, axis=1).tolist(), blank)


def ctc_loss(log_probs: np.ndarray, target: Sequence[int], blank: int = 0) -> float:
    """Negative log-likelihood of ``target`` summed over every frame alignment that collapses to it.

    Notes: 001 flashcard "CTC" (the collapse rule defines which alignments count). The sum is the
    forward recursion over the target with a blank between and around labels, kept in log space so
    that long inputs do not underflow. ``log_probs`` is (T, C), log-softmax over C classes per frame.

    Two frames, uniform over {blank, a}: the alignments of "a" are (a,a), (a,-), (-,a), so
    P = 3/4 and the loss is -log 0.75.

    >>> round(ctc_loss(np.log(np.full((2, 2), 0.5)), [1]), 6), round(float(-np.log(0.75)), 6)
    (0.287682, 0.287682)
    """
    log_probs = np.asarray(log_probs, dtype=np.float64)
    n_frames = log_probs.shape[0]
    extended = [blank]
    for label in target:
        extended += [int(label), blank]
    n_states = len(extended)

    alpha = np.full(n_states, -np.inf)  # alpha[s]: log P(prefix of frames ends in state s)
    alpha[0] = log_probs[0, blank]
    if n_states > 1:
        alpha[1] = log_probs[0, extended[1]]
    for t in range(1, n_frames):
        previous = alpha
        alpha = np.full(n_states, -np.inf)
        for s in range(n_states):
            total = previous[s]
            if s >= 1:
                total = np.logaddexp(total, previous[s - 1])
            # Skipping the blank between two labels is allowed only when the labels differ,
            # otherwise the two would collapse into one.
            if s >= 2 and extended[s] != blank and extended[s] != extended[s - 2]:
                total = np.logaddexp(total, previous[s - 2])
            alpha[s] = total + log_probs[t, extended[s]]
    final = alpha[-1] if n_states == 1 else np.logaddexp(alpha[-1], alpha[-2])
    return float(-final)
