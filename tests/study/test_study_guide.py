"""Source guides over HTTP: the outline is the inferred section tree with exact spans; suggested questions
are the notes' flashcard questions and section titles turned into questions."""

from __future__ import annotations

import httpx


def flatten(entries):
    for entry in entries:
        yield entry
        yield from flatten(entry["children"])


def test_outline_entries_open_exact_sections(study_url):
    guide = httpx.get(f"{study_url}/api/guide/optimizers.md").json()
    text = httpx.get(f"{study_url}/api/sources/optimizers.md").json()["text"]
    assert guide["title"] == "Optimizers"
    titles = [e["title"] for e in flatten(guide["outline"])]
    assert titles == ["Gradient descent", "Adam", "Momentum"]
    for entry in flatten(guide["outline"]):  # a bare title heading joins the first section (ingest's rule)
        section = text[entry["start"] : entry["end"]]
        assert section.count("## ") == 1 and "## " + entry["title"] + "\n" in section
    questions = {q["question"]: q for q in guide["questions"]}
    adam = questions["What is Adam?"]
    assert adam["kind"] == "title" and text[adam["start"] : adam["end"]].startswith("## Adam")


def test_flashcard_questions_come_first_and_feed_the_starters(study_url):
    guide = httpx.get(f"{study_url}/api/guide/biology_flashcards.txt").json()
    cards = [q for q in guide["questions"] if q["kind"] == "flashcard"]
    assert [q["question"] for q in cards] == [
        "What does ATP stand for?",
        "Which organelle produces most of the ATP in a cell?",
        "What pigment absorbs light in photosynthesis?",
    ]
    assert guide["questions"][: len(cards)] == cards
    starters = httpx.get(f"{study_url}/api/guide", params={"limit": 6}).json()["questions"]
    assert "What does ATP stand for?" in [s["question"] for s in starters]
    assert len({s["doc"] for s in starters}) >= 2


def test_unknown_document_is_404(study_url):
    response = httpx.get(f"{study_url}/api/guide/nope.md")
    assert response.status_code == 404 and response.json()["error"] == "unknown document"
