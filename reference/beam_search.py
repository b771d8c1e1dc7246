"""Beam search with length normalisation, as the notes describe it for translation decoders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

StepFn = Callable[[tuple[int, ...]], np.ndarray]


@dataclass(frozen=True)
class Hypothesis:
    """One decoded sequence: its tokens (EOS included when it ended), summed log-prob, ranking score."""

    tokens: tuple[int, ...]
    log_prob: float
    score: float


def length_normalized(log_prob: float, length: int, alpha: float) -> float:
    """Score used to rank finished sequences: log P / len**alpha (alpha=0: raw sum, 1: per-token mean).

    Notes: 001 flashcard "What is Length normalisation" ("normalise by number of words in output
    sequence to the power of alpha"); without it, beam search prefers short outputs, since every extra
    token multiplies in a probability below 1.

    >>> length_normalized(-6.0, 4, 1.0), length_normalized(-6.0, 4, 0.0)
    (-1.5, -6.0)
    """
    return log_prob / max(length, 1) ** alpha


def beam_search(step: StepFn, beam_width: int, max_len: int, eos_id: int, alpha: float = 0.7) -> list[Hypothesis]:
    """Keep the ``beam_width`` most probable prefixes at each step; return finished ones, best first.

    Notes: 001 flashcard "Best algo to pick the best sentence" ("beam search is able to search for the
    best next N words where N is the parameter known as beam width"; "We repeat this process until we
    reach an END token"; "We simply pick the decoder output with the highest probability at the end").

    ``step(prefix)`` returns log-probabilities over the vocabulary for the next token. A prefix that
    emits ``eos_id`` is finished and leaves the beam; prefixes still alive after ``max_len`` tokens are
    finished as they are. Pruning uses the raw log-prob (all alive prefixes have the same length);
    the final ranking uses the length-normalised score.

    Greedy takes token 1 (p=0.58), then EOS: 0.58 * 0.5 = 0.29. Width 2 also keeps token 2 (p=0.4) and
    finds 2, EOS: 0.4 * 0.95 = 0.38, the better sentence:

    >>> table = {(): [0.02, 0.58, 0.4], (1,): [0.5, 0.25, 0.25], (2,): [0.95, 0.03, 0.02]}
    >>> step = lambda prefix: np.log(table.get(prefix, [0.98, 0.01, 0.01]))
    >>> beam_search(step, beam_width=1, max_len=3, eos_id=0, alpha=0.0)[0].tokens
    (1, 0)
    >>> beam_search(step, beam_width=2, max_len=3, eos_id=0, alpha=0.0)[0].tokens
    (2, 0)
    """
    alive: list[tuple[tuple[int, ...], float]] = [((), 0.0)]
    finished: list[Hypothesis] = []
    for _ in range(max_len):
        candidates = []
        for prefix, log_prob in alive:
            log_probs = np.asarray(step(prefix), dtype=np.float64)
            for token in np.flatnonzero(np.isfinite(log_probs)):
                candidates.append((prefix + (int(token),), log_prob + float(log_probs[token])))
        candidates.sort(key=lambda c: c[1], reverse=True)
        alive = []
        for tokens, log_prob in candidates[:beam_width]:
            if tokens[-1] == eos_id:
                finished.append(Hypothesis(tokens, log_prob, length_normalized(log_prob, len(tokens), alpha)))
            else:
                alive.append((tokens, log_prob))
        if not alive:
            break
    finished += [Hypothesis(t, lp, length_normalized(lp, len(t), alpha)) for t, lp in alive]
    return sorted(finished, key=lambda h: h.score, reverse=True)


def greedy_decode(step: StepFn, max_len: int, eos_id: int) -> tuple[int, ...]:
    """Greedy decoding: the argmax token each step until end-of-sequence (beam search with width 1).

    Notes: 001 flashcard "Why not greedy search to pick the best sentence" ("the next best word doesn’t
    necessarily mean the final sentence is better").

    >>> greedy_decode(lambda prefix: np.log([0.1, 0.9]) if len(prefix) < 2 else np.log([0.9, 0.1]), 5, 0)
    (1, 1, 0)
    """
    tokens: tuple[int, ...] = ()
    while len(tokens) < max_len and (not tokens or tokens[-1] != eos_id):
        tokens += (int(np.argmax(step(tokens))),)
    return tokens
