"""Notes typed in lower case (a lecture transcript: "so net yield is 2 ATP. it does not need oxygen") end a
sentence at a full stop before a lower-case word too (core.text.LOWER_CASE_END): a whole transcript paragraph
was one sentence, and the quoting writer cited all of it for "net ATP from glycolysis?"."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from core.text import sentence_spans
from tests.notes_settings import assert_answer_quotes, notes_client


def pieces(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("per glucose. it does not need oxygen", ["per glucose.", "it does not need oxygen"]),
        ("releases 4 CO2. the cycle repeats", ["releases 4 CO2.", "the cycle repeats"]),  # a word with a digit
        ("two pyruvate (3 carbons each). ten steps", ["two pyruvate (3 carbons each).", "ten steps"]),
        ("Done. Then more", ["Done.", "Then more"]),  # as before
    ],
)
def test_a_full_stop_before_a_lower_case_word_ends_a_sentence(text: str, expected: list[str]) -> None:
    assert pieces(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the vertical direction ie. b direction",  # the user's notes write "ie." and "eg." so
        "for instance eg. a cat",
        "Ie. is it object C1",
        "lists, sets etc. and more",
        "it took approx. ten minutes",
        "the gradient w.r.t. the input",  # dotted abbreviations
        "e.g. a value and i.e. the same",
        "as J. smith wrote",  # an initial
        "see step 3. then go on",  # a number
        "Ren et al. the authors",
        "wait... then go",
    ],
)
def test_an_abbreviation_initial_or_number_before_a_lower_case_word_does_not(text: str) -> None:
    assert pieces(text) == [text]


TRANSCRIPT = (
    "lecture 7 -- cellular respiration\n\n"
    "GLYCOLYSIS. splits one glucose (6 carbons) into two pyruvate (3\n"
    "carbons each). ten steps, two phases: the energy investment phase\n"
    "uses 2 ATP and the energy payoff phase makes 4 ATP and 2 NADH. so\n"
    "net yield is 2 ATP and 2 NADH per glucose. it does not need oxygen,\n"
    "glycolysis happens whether or not O2 is present.\n"
)


def test_a_lower_case_transcript_is_quoted_by_the_sentence(tmp_path: Path) -> None:
    client: httpx.Client
    with notes_client(tmp_path, {"lecture07.txt": TRANSCRIPT}) as client:
        answer = assert_answer_quotes(
            client,
            "what is the net ATP yield of glycolysis?",
            "so\nnet yield is 2 ATP and 2 NADH per glucose.",
            "so net yield is 2 ATP and 2 NADH per glucose",
        )
    quoted = [span["quote"] for cite in answer["citations"] for span in cite["spans"]]
    assert not any("ten steps" in q and "net yield" in q for q in quoted), quoted  # not the paragraph whole
