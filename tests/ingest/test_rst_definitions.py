"""reST definition lists (ingest.rst_definitions): each term titles its own definition, so a definition that does
not repeat its term is still found and quoted for it. Before, "what is ozonolysis?" over a student's alkene notes
quoted a flashcard about leaving groups, and "what does hydroboration oxidation give?" the HX item above it."""

from __future__ import annotations

from pathlib import Path

import httpx

from ingest.markup import rst_markup
from ingest.rst_definitions import definition_headings
from tests.notes_settings import assert_answer_quotes, notes_client

ALKENES = (
    "Alkenes\n"
    "=======\n\n"
    "Addition reactions\n"
    "------------------\n\n"
    "HX addition\n"
    "    Follows Markovnikov's rule: H adds to the carbon with more H's, X goes to the more substituted carbon.\n\n"
    "Hydroboration-oxidation\n"
    "    BH3 then H2O2, NaOH: anti-Markovnikov alcohol with syn addition, no rearrangements.\n\n"
    "Ozonolysis\n"
    "    O3 then (CH3)2S cleaves the C=C double bond to give two carbonyl compounds.\n"
)


def terms(text: str) -> list[str]:
    return [h.title for h in definition_headings(text, rst_markup(text).headings)]


def test_each_term_of_a_definition_list_is_a_heading_below_every_title() -> None:
    headings = definition_headings(ALKENES, rst_markup(ALKENES).headings)
    assert [h.title for h in headings] == ["HX addition", "Hydroboration-oxidation", "Ozonolysis"]
    assert all(h.level == 7 for h in headings)
    start = ALKENES.index("Ozonolysis")
    assert (headings[-1].start, headings[-1].end) == (start, start + len("Ozonolysis"))


def test_what_is_no_term() -> None:
    assert terms("Title\n=====\n\nSome text\n") == []  # a title, not a term
    assert terms("* an item\n  its wrapped second line\n") == []  # a list item's continuation
    assert terms("A paragraph goes\non here.\n    A block quote after it\n") == []  # a paragraph's last line
    assert terms("Like this::\n\n    code\n    more code\n") == []  # a literal block's lead-in and its code
    assert terms(".. note::\n   Keep backups.\n") == []  # explicit markup
    assert terms(":param x:\n    the input\n") == []  # a field
    assert terms("Do this::\n\n    term\n        not a term, code\n") == []  # inside a literal block


def test_a_definition_is_quoted_for_its_term(tmp_path: Path) -> None:
    client: httpx.Client
    with notes_client(tmp_path, {"alkenes.rst": ALKENES}) as client:
        assert_answer_quotes(
            client,
            "what is ozonolysis?",
            "O3 then (CH3)2S cleaves the C=C double bond to give two carbonyl compounds.",
            "O3 then (CH3)2S cleaves the C=C double bond",
        )
        answer = assert_answer_quotes(
            client,
            "what does hydroboration oxidation give?",
            "BH3 then H2O2, NaOH: anti-Markovnikov alcohol with syn addition, no rearrangements.",
            "anti-Markovnikov alcohol",
        )
    assert "Markovnikov's rule" not in answer["text"]
