"""The guard that replaces a bad generated answer by quotes of the notes: one case per failure it catches."""

from __future__ import annotations

import pytest

from service.attribution import AnsweredSentence
from service.writers import guard_problem

QUESTION = "What activation should you use for hidden layers and why?"


def sentence(text: str, cited: list[int], supported: bool = True) -> AnsweredSentence:
    return AnsweredSentence(text, cited, supported=supported)


CASES = [
    ("ReLU: it does not saturate for positive inputs [1].", [sentence("ReLU does not saturate [1].", [1])], None),
    ("ReLU [1];;;;;;;;;;", [sentence("ReLU [1];;;;;;;;;;", [1])], "degenerate"),
    (
        "ReLU is used [1]. ReLU is used [1].",
        [sentence("ReLU is used [1].", [1])],  # attribution already dropped the repeat: the raw text shows it
        "degenerate",
    ),
    (
        "What activation should you use for hidden layers and why [1]",
        [sentence("What activation should you use for hidden layers and why [1]", [1])],
        "echoes the question",
    ),
    ("ReLU is the default.", [sentence("ReLU is the default.", [], supported=False)], "cites nothing"),
    (
        "ReLU [1]. Bananas are yellow. Paris is big.",
        [sentence("ReLU [1].", [1]), sentence("Bananas are yellow.", [], False), sentence("Paris is big.", [], False)],
        "mostly unsupported",
    ),
]


@pytest.mark.parametrize(("raw", "sentences", "expected"), CASES)
def test_guard(raw: str, sentences: list[AnsweredSentence], expected: str | None) -> None:
    assert guard_problem(QUESTION, raw, sentences) == expected
