"""Quiz cards never come from a note's metadata: an Org planning line or drawer, a heading that is only a
question word or a generic section name, or a "Label: value" line whose value is a person or a date (a version
number such as 3.10.12 or the verb "may" before a number is none)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.study.cards import build_cards
from tests import notes_settings

METADATA_NOTES = {
    "thesis-plan.org": (
        "#+TITLE: Thesis plan\n\n"
        "* TODO Literature review\n"
        "  DEADLINE: <2025-11-15 Sat>\n"
        "  :PROPERTIES:\n"
        "  :EFFORT:   10h\n"
        "  :END:\n"
        "The literature review should cover causal inference methods for observational data.\n\n"
        "* TODO Meet supervisor\n"
        "  SCHEDULED: <2025-10-20 Mon>\n"
        "Ask whether the weather variables count as confounders.\n"
    ),
    "cross-validation.md": (
        "# Cross-validation\n\n"
        "## Why\n\n"
        "A single train/test split gives a noisy estimate of performance.\n\n"
        "## Pitfalls\n\n"
        "Fit the scaler inside each fold, or the test fold leaks into training.\n\n"
        "## Stratified folds\n\n"
        "Stratified folds keep the class proportions of the whole data in every fold.\n"
    ),
    "syllabus.html": (
        "<html><head><title>Syllabus</title></head><body>\n"
        "<h1>DS 210 Syllabus</h1>\n"
        "<p>Instructor: Dr. Ana Moreno. Office hours are on Tuesdays in room B214.</p>\n"
        "<p>Exam date: 2025-12-12 in the main hall, bring a pen.</p>\n"
        "<p>Normalization: the process of structuring a database to reduce redundancy.</p>\n"
        "</body></html>\n"
    ),
    # a version number and the verb "may" before a number are no dates: those labels define
    "releases.md": (
        "# Python releases\n\n"
        "Python: 3.10.12 adds pattern matching to the language.\n\n"
        "Replicas: may 2 be enabled per shard in the free tier.\n\n"
        "Feature freeze: May 2 for every minor release.\n\n"
        "Release party: 15.11.2025 in the main hall.\n\n"
        "Patch day: 11/15/25 for the security fixes.\n"
    ),
}
# by hand: each note's cards once the metadata makes none
EXPECTED = {
    "thesis-plan.org": [
        (
            "title",
            "What is Literature review?",
            "The literature review should cover causal inference methods for observational data.",
        ),
        ("title", "What is Meet supervisor?", "Ask whether the weather variables count as confounders."),
    ],
    "cross-validation.md": [
        (
            "title",
            "What are Stratified folds?",
            "Stratified folds keep the class proportions of the whole data in every fold.",
        ),
    ],
    "syllabus.html": [
        ("definition", "What is Normalization?", "the process of structuring a database to reduce redundancy."),
    ],
    "releases.md": [
        ("definition", "What is Python?", "3.10.12 adds pattern matching to the language."),
        ("definition", "What is Replicas?", "may 2 be enabled per shard in the free tier."),
    ],
}


@pytest.fixture(scope="module")
def metadata_runtime(tmp_path_factory: pytest.TempPathFactory):
    from service.runtime import Runtime

    root: Path = tmp_path_factory.mktemp("quiz-metadata")
    return Runtime.build(notes_settings.notes_settings(root, METADATA_NOTES))


@pytest.fixture(scope="module")
def metadata_url(metadata_runtime) -> Iterator[str]:
    from service.server import running_server

    with running_server(metadata_runtime.settings, metadata_runtime) as url:
        yield url


@pytest.mark.parametrize("doc", sorted(METADATA_NOTES))
def test_metadata_makes_no_card(metadata_runtime, metadata_url, doc):
    reader = metadata_runtime.served.reader
    cards = build_cards(reader, doc)
    assert [(c.kind, c.question, c.answer) for c in cards] == EXPECTED[doc]
    text = reader.source_text(doc)
    assert all(text[c.start : c.end] == c.answer for c in cards)
    nxt = httpx.get(f"{metadata_url}/api/quiz/next", params={"doc": doc}).json()
    assert nxt["card"]["question"] == EXPECTED[doc][0][1]
    assert nxt["deck"]["new"] == len(EXPECTED[doc])
    decks = httpx.get(f"{metadata_url}/api/quiz/decks").json()
    assert {"doc": doc, "cards": len(EXPECTED[doc])} in decks
