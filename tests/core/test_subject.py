"""A question's subject by its shape, and one-key typos: the abstain rule's reading of a question."""

from __future__ import annotations

import pytest

from core.spelling import is_misspelling, one_edit
from core.subject import question_subject


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("How does SimCLR build positive pairs from augmented views?", "SimCLR build positive pairs"),
        ("what is a metaclass and when would I want one?", "metaclass"),
        ("what does the METEOR metric add over BLEU?", "METEOR metric add"),
        ("how is Nesterov accelerated gradient different from momentum?", "Nesterov accelerated gradient different"),
        ("what does a triplet loss with anchors optimize?", "triplet loss"),
        ("how exactly does dropout work?", "dropout"),
        ("why does Adam use the second moment?", "Adam use"),  # a determiner opens the object
        ("how do I convert my history?", ""),  # the asker
        ("can we use LoRA here?", ""),  # no wh-word
        ("Explain mixup.", ""),
        ("what?", ""),
    ],
)
def test_question_subject(question: str, subject: str) -> None:
    assert question_subject(question) == subject


def test_one_edit_reaches_swaps_deletions_replacements_and_insertions() -> None:
    near = set(one_edit("adma"))
    assert {"adam", "adm", "adman", "edma", "adma"} <= near
    assert "mada" not in near  # two edits away
    # 4 deletions + 3 swaps + 4 x 36 replacements + 5 x 36 insertions
    assert len(list(one_edit("adma"))) == 4 + 3 + 4 * 36 + 5 * 36


@pytest.mark.parametrize(
    ("word", "expected"),
    [("adma", True), ("dropuot", True), ("simclr", False), ("gan", False), ("normalizaton", True)],
)
def test_is_misspelling(word: str, expected: bool) -> None:
    known = {"adam", "dropout", "can", "normalization", "clr"}
    assert is_misspelling(word, known) is expected
