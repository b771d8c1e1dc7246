"""A question's subject by its shape, and one-key typos: the abstain rule's reading of a question."""

from __future__ import annotations

import pytest

from core.spelling import is_compound, is_misspelling, is_other_spelling, one_edit
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
        ("what's a metaclass?", "metaclass"),
        ("whats a metaclass", "metaclass"),
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


@pytest.mark.parametrize(
    ("word", "compound"),
    [("multihead", True), ("selfattention", True), ("layernorm", True), ("lowrank", True), ("mixup", False)],
)
def test_a_closed_up_compound_of_notes_words_is_another_spelling(word: str, compound: bool) -> None:
    """The review's P1-1: a student writes "multihead" where the notes write "Multi-head" (read as two words)."""
    known = {"multi", "head", "self", "attention", "layer", "norm", "low", "rank", "mix"}
    assert is_compound(word, known) is compound
    assert is_other_spelling(word, known) is compound
    assert is_other_spelling("dropuot", {"dropout"})  # and a typo, as before
