"""CTC greedy decoding against hand-worked frames, and the CTC loss against torch.nn.functional.ctc_loss."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference.ctc import ctc_collapse, ctc_greedy_decode, ctc_loss

COLLAPSE_CASES = [
    ([1, 1, 0, 1], [1, 1]),  # a blank between repeats keeps both
    ([1, 1, 1], [1]),  # repeats without a blank merge
    ([0, 0, 0], []),
    ([0, 2, 2, 0, 3, 3, 3, 0, 0, 2], [2, 3, 2]),
    ([3, 0, 3, 3, 0, 0, 3], [3, 3, 3]),
]


@pytest.mark.parametrize(("frames", "expected"), COLLAPSE_CASES)
def test_collapse(frames: list[int], expected: list[int]) -> None:
    assert ctc_collapse(frames) == expected


def test_greedy_decode_takes_argmax_per_frame() -> None:
    one_hot = np.eye(4)[[2, 2, 0, 2, 1, 1]] * 0.9 + 0.025
    assert ctc_greedy_decode(np.log(one_hot)) == [2, 2, 1]


LOSS_CASES = [  # (frames, classes, target, seed)
    (1, 3, [], 0),
    (1, 3, [2], 1),
    (5, 4, [1, 2], 2),
    (6, 3, [1, 1], 3),  # a repeated label needs a blank between: at least 3 frames
    (12, 6, [3, 1, 4, 1, 5], 4),
    (30, 5, [1, 2, 2, 3, 4, 4, 4], 5),
    (3, 3, [1, 1, 1], 6),  # impossible: needs 5 frames, so the loss is infinite
]


@pytest.mark.parametrize(("frames", "classes", "target", "seed"), LOSS_CASES)
def test_loss_matches_torch(frames: int, classes: int, target: list[int], seed: int) -> None:
    logits = torch.randn(frames, 1, classes, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    log_probs = logits.log_softmax(dim=2)
    expected = F.ctc_loss(
        log_probs,
        torch.tensor([target], dtype=torch.long),
        input_lengths=torch.tensor([frames]),
        target_lengths=torch.tensor([len(target)]),
        blank=0,
        reduction="none",
    ).item()
    ours = ctc_loss(log_probs[:, 0].numpy(), target)
    if np.isinf(expected):
        assert np.isinf(ours)
    else:
        assert ours == pytest.approx(expected, rel=1e-9)


def test_loss_equals_brute_force_sum_over_alignments() -> None:
    # Sum P(path) over all 3^4 frame paths whose collapse is the target.
    probs = np.random.default_rng(0).dirichlet(np.ones(3), size=4)
    target = [1, 2]
    total = sum(
        np.prod(probs[np.arange(4), path])
        for path in itertools.product(range(3), repeat=4)
        if ctc_collapse(path) == target
    )
    assert ctc_loss(np.log(probs), target) == pytest.approx(-np.log(total))
