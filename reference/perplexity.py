"""Perplexity of a language model on a token sequence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def perplexity_from_log_probs(token_log_probs: Sequence[float] | np.ndarray) -> float:
    """exp of the mean negative log-likelihood per token (natural log).

    Notes: 003 "Perplexity" ("It measures the uncertainty in predicting the next token. A perfectly
    correct model would have a perplexity of 1."). A model that is uniform over V tokens has
    perplexity V: it is as unsure as a fair V-sided die.

    >>> perplexity_from_log_probs(np.log([0.25, 0.25, 0.25]))
    4.0
    >>> perplexity_from_log_probs([0.0, 0.0])
    1.0
    """
    log_probs = np.asarray(token_log_probs, dtype=np.float64)
    return float(np.exp(-log_probs.mean()))


def perplexity_from_probs(token_probs: Sequence[float] | np.ndarray) -> float:
    """Perplexity from the probabilities the model gave each true token: the inverse geometric mean.

    Notes: 003 "Perplexity" ("Higher perplexity indicates higher uncertainty"). Summing logs instead of
    multiplying probabilities keeps long sequences from underflowing to 0.

    >>> round(perplexity_from_probs([0.5, 0.125]), 6)
    4.0
    """
    probs = np.asarray(token_probs, dtype=np.float64)
    return perplexity_from_log_probs(np.log(probs))


def perplexity_from_logits(logits: np.ndarray, targets: Sequence[int] | np.ndarray) -> float:
    """Perplexity from raw next-token scores (T, V) and the true next tokens (T,), via log-softmax.

    Notes: 003 "Perplexity" ("It measures the uncertainty in predicting the next token"); this is
    exp of the mean cross-entropy loss a language model trains on.

    >>> round(perplexity_from_logits(np.zeros((3, 5)), [0, 1, 2]), 6)
    5.0
    """
    logits = np.asarray(logits, dtype=np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)  # stable log-softmax
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return perplexity_from_log_probs(log_probs[np.arange(len(logits)), np.asarray(targets)])
