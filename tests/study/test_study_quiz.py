"""Quiz me: cards are exact spans of the notes, grading follows the calibrated thresholds, and FSRS state
survives a restart and a re-ingest (cards are keyed by content)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from service.study.cards import build_cards
from service.study.grading import CORRECT, PARTIAL, WEIGHT, calibrate, grade, load_labels
from service.study.quiz import next_card
from service.study.schedule import ScheduleStore


def test_cards_cite_exact_spans_of_the_notes(study_runtime):
    reader = study_runtime.served.reader
    flash = build_cards(reader, "biology_flashcards.txt")
    assert [(c.kind, c.question, c.answer) for c in flash][:2] == [
        ("flashcard", "What does ATP stand for?", "Adenosine triphosphate"),
        (
            "flashcard",
            "Which organelle produces most of the ATP in a cell?",
            "The mitochondrion, through oxidative phosphorylation.",
        ),
    ]
    cards = build_cards(reader, "optimizers.md")
    questions = {c.question: c for c in cards}
    assert questions["What is Adam?"].kind == "definition"
    assert questions["What is Adam?"].answer.startswith("an optimizer that keeps moving averages")
    assert "What is Momentum?" in questions
    for doc in ("biology_flashcards.txt", "optimizers.md", "rivers.md"):
        text = reader.source_text(doc)
        for card in build_cards(reader, doc):
            assert text[card.start : card.end] == card.answer


def test_the_committed_thresholds_are_the_calibrated_ones(study_runtime):
    chosen = calibrate(load_labels(), study_runtime.embedder)
    assert (chosen["weight"], chosen["partial"], chosen["correct"]) == (WEIGHT, PARTIAL, CORRECT)
    assert chosen["accuracy"] >= 0.8


def test_grading_separates_right_partial_and_wrong(study_runtime):
    reference = "The mitochondrion, through oxidative phosphorylation."
    right = grade("the mitochondria, by oxidative phosphorylation", reference, study_runtime.embedder)
    wrong = grade("the cell wall", reference, study_runtime.embedder)
    assert right.verdict == "correct" and right.rating == "good"
    assert wrong.verdict == "wrong" and wrong.rating == "again"
    assert "mitochondrion" in wrong.missing or "mitochondri" in " ".join(wrong.missing)
    assert grade("", reference, study_runtime.embedder).verdict == "wrong"


def test_schedule_survives_restart_and_orders_due_cards(study_runtime, tmp_path):
    cards = build_cards(study_runtime.served.reader, "biology_flashcards.txt")
    store = ScheduleStore(tmp_path / "study.sqlite3")
    first, status = next_card(cards, store)
    assert first == cards[0] and status.new == len(cards)
    now = datetime.now(UTC)
    state = store.review(first.key, first.doc, first.question, "good", now=now)
    assert state.due > now and state.reviews == 1
    store.close()
    reopened = ScheduleStore(tmp_path / "study.sqlite3")
    card, status = next_card(cards, reopened, now=now)
    assert card == cards[1] and status.new == len(cards) - 1  # the reviewed card is not due yet
    card, status = next_card(cards, reopened, now=state.due + timedelta(seconds=1))
    assert card == cards[0] and status.due == 1  # due again: reviewed cards come before new ones


def test_quiz_api_grades_and_schedules(study_url):
    decks = httpx.get(f"{study_url}/api/quiz/decks").json()
    assert {"doc": "biology_flashcards.txt", "cards": 3} in decks
    nxt = httpx.get(f"{study_url}/api/quiz/next", params={"doc": "biology_flashcards.txt"}).json()
    card = nxt["card"]
    assert card["question"] == "What does ATP stand for?" and "answer" not in card
    body = {"doc": card["doc"], "key": card["key"], "answer": "adenosine triphosphate"}
    result = httpx.post(f"{study_url}/api/quiz/answer", json=body).json()
    assert result["grade"]["verdict"] == "correct"
    assert result["card"]["answer"] == "Adenosine triphosphate" and result["reviews"] == 1
    text = httpx.get(f"{study_url}/api/sources/biology_flashcards.txt").json()["text"]
    assert text[result["card"]["start"] : result["card"]["end"]] == "Adenosine triphosphate"
    after = httpx.get(f"{study_url}/api/quiz/next", params={"doc": "biology_flashcards.txt"}).json()
    assert after["card"]["key"] != card["key"] and after["deck"]["new"] == nxt["deck"]["new"] - 1
    bad = httpx.post(f"{study_url}/api/quiz/answer", json={**body, "key": "nope"})
    assert bad.status_code == 404
    assert httpx.get(f"{study_url}/api/quiz/next", params={"doc": "missing.md"}).status_code == 404


def test_notecite_quiz_in_the_terminal(study_root, study_runtime):
    from typer.testing import CliRunner

    from notecite.cli import app

    settings = study_runtime.settings
    no_code = study_root / "no-code"
    no_code.mkdir(exist_ok=True)
    env = {"NOTECITE_CODE_DIR": str(no_code), "NOTECITE_UPLOAD_DIR": str(settings.uploads)}
    args = ["quiz", "--doc", "rivers.md", "-n", "2", "--notes", str(settings.notes_dir)]
    result = CliRunner().invoke(
        app,
        [*args, "--index", str(settings.index_dir)],
        env=env,
        input="a delta forms where a river meets slower water and drops its sediment\nno idea\n",
    )
    assert result.exit_code == 0, result.output
    assert "What are Deltas?" in result.output
    assert "CORRECT" in result.output or "PARTIAL" in result.output
    assert "WRONG" in result.output
    assert "the note, rivers.md [" in result.output
