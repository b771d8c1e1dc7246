"""Beam search against exhaustive search over every sequence of a tiny vocabulary."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from reference.beam_search import beam_search, greedy_decode, length_normalized

EOS = 0


def random_model(vocab: int, seed: int):
    """A fixed random next-token distribution for every prefix, like a tiny language model."""
    rng = np.random.default_rng(seed)
    cache: dict[tuple[int, ...], np.ndarray] = {}

    def step(prefix: tuple[int, ...]) -> np.ndarray:
        if prefix not in cache:
            logits = rng.normal(scale=2.0, size=vocab)
            cache[prefix] = logits - np.log(np.exp(logits).sum())
        return cache[prefix]

    return step


def exhaustive_best(step, vocab: int, max_len: int, alpha: float) -> tuple[tuple[int, ...], float]:
    """Score every sequence that ends at its first EOS or runs to max_len without one."""
    best: tuple[tuple[int, ...], float] = ((), -np.inf)
    for length in range(1, max_len + 1):
        for tokens in itertools.product(range(vocab), repeat=length):
            if EOS in tokens[:-1] or (length < max_len and tokens[-1] != EOS):
                continue
            log_prob = sum(float(step(tokens[:i])[tokens[i]]) for i in range(length))
            score = length_normalized(log_prob, length, alpha)
            if score > best[1]:
                best = (tokens, score)
    return best


CASES = [  # (vocab, max_len, alpha, seed)
    (3, 3, 0.0, 0),
    (3, 4, 0.7, 1),
    (4, 3, 1.0, 2),
    (2, 5, 0.5, 3),
    (4, 4, 0.0, 4),
]


@pytest.mark.parametrize(("vocab", "max_len", "alpha", "seed"), CASES)
def test_full_width_beam_finds_the_exhaustive_best(vocab: int, max_len: int, alpha: float, seed: int) -> None:
    step = random_model(vocab, seed)
    tokens, score = exhaustive_best(step, vocab, max_len, alpha)
    best = beam_search(step, beam_width=vocab**max_len, max_len=max_len, eos_id=EOS, alpha=alpha)[0]
    assert best.tokens == tokens
    assert best.score == pytest.approx(score)


@pytest.mark.parametrize(("vocab", "max_len", "alpha", "seed"), CASES)
def test_width_one_is_greedy(vocab: int, max_len: int, alpha: float, seed: int) -> None:
    step = random_model(vocab, seed)
    assert beam_search(step, 1, max_len, EOS, alpha)[0].tokens == tuple(greedy_decode(step, max_len, EOS))


@pytest.mark.parametrize(("vocab", "max_len", "alpha", "seed"), CASES)
def test_wider_beam_never_scores_worse_with_raw_log_prob(vocab: int, max_len: int, alpha: float, seed: int) -> None:
    step = random_model(vocab, seed)
    # With alpha=0 the beam's own pruning criterion is the final score, so a full beam is optimal
    # and any beam's best is a lower bound on it.
    full = beam_search(step, vocab**max_len, max_len, EOS, alpha=0.0)[0].score
    assert beam_search(step, 2, max_len, EOS, alpha=0.0)[0].score <= full + 1e-12


def test_length_normalization_prefers_longer_sentence() -> None:
    # EOS right away: log 0.5. Otherwise token 1 (p=0.5) then EOS (p=0.9) at step 2 -> log 0.45.
    # alpha=0 compares -0.693 with -0.799 (short wins); alpha=1 compares -0.693 with -0.399 (long wins).
    table = {(): np.log([0.5, 0.5]), (1,): np.log([0.9, 0.1])}

    def step(prefix: tuple[int, ...]) -> np.ndarray:
        return table.get(prefix, np.log([0.99, 0.01]))

    assert beam_search(step, 4, 3, EOS, alpha=0.0)[0].tokens == (0,)
    assert beam_search(step, 4, 3, EOS, alpha=1.0)[0].tokens == (1, 0)
