"""A question's subject by its shape: the abstain rule's reading of a question (its spelling: test_spelling.py)."""

from __future__ import annotations

import pytest

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
