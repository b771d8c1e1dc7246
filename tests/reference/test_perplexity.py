"""Perplexity against torch: exp of the mean cross-entropy of the true next tokens."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference.perplexity import perplexity_from_log_probs, perplexity_from_logits, perplexity_from_probs

CASES = [(1, 2, 0), (5, 10, 1), (50, 100, 2), (200, 7, 3)]  # (tokens, vocab, seed)


@pytest.mark.parametrize(("n_tokens", "vocab", "seed"), CASES)
def test_matches_exp_cross_entropy(n_tokens: int, vocab: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=3.0, size=(n_tokens, vocab))
    targets = rng.integers(vocab, size=n_tokens)
    expected = torch.exp(F.cross_entropy(torch.tensor(logits), torch.tensor(targets))).item()
    assert perplexity_from_logits(logits, targets) == pytest.approx(expected, rel=1e-10)

    log_probs = torch.tensor(logits).log_softmax(dim=1)[torch.arange(n_tokens), torch.tensor(targets)].numpy()
    assert perplexity_from_log_probs(log_probs) == pytest.approx(expected, rel=1e-10)
    assert perplexity_from_probs(np.exp(log_probs)) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("vocab", [2, 17, 50_000])
def test_uniform_model_has_perplexity_vocab_size(vocab: int) -> None:
    assert perplexity_from_probs(np.full(10, 1 / vocab)) == pytest.approx(vocab)


def test_perfect_model_has_perplexity_one() -> None:
    # The notes: "A perfectly correct model would have a perplexity of 1."
    assert perplexity_from_probs([1.0, 1.0, 1.0]) == 1.0


def test_long_sequence_does_not_underflow() -> None:
    # The product 0.01**1000 underflows to 0.0; the log-space mean does not.
    assert perplexity_from_probs(np.full(1000, 0.01)) == pytest.approx(100.0)
