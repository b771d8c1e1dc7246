"""Quiz me: a deck per document (or section), the next card due, and grading an answer into a review.

Cards are rebuilt from the served index on demand (cheap: a walk over one document's sections); their
schedule lives in the ScheduleStore, keyed by content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from retrieval.retriever import EmbedderLike
from service.study.cards import Card, build_cards
from service.study.grading import grade
from service.study.schedule import RATINGS, ScheduleStore


class QuizError(ValueError):
    """An unknown document, section or card."""


@dataclass(frozen=True)
class DeckStatus:
    total: int
    due: int  # reviewed cards due now
    new: int  # cards never reviewed

    def to_dict(self) -> dict[str, int]:
        return {"total": self.total, "due": self.due, "new": self.new}


def deck(reader: Any, doc: str, start: int | None = None, end: int | None = None) -> list[Card]:
    """The cards of `doc`, or of its section [start, end) when given."""
    if reader.source_text(doc) is None:
        raise QuizError(f"{doc!r} is not in the index; GET /api/documents lists them")
    cards = build_cards(reader, doc)
    if start is not None and end is not None:
        cards = [c for c in cards if c.start >= start and c.end <= end]
    return cards


def next_card(cards: list[Card], store: ScheduleStore, now: datetime | None = None) -> tuple[Card | None, DeckStatus]:
    """The most overdue reviewed card, else the first new one (document order); None when nothing is due."""
    now = now or datetime.now(UTC)
    states = store.states([c.key for c in cards])
    overdue = sorted(
        (states[c.key].due, i) for i, c in enumerate(cards) if c.key in states and states[c.key].due <= now
    )
    new = [c for c in cards if c.key not in states]
    status = DeckStatus(len(cards), len(overdue), len(new))
    if overdue:
        return cards[overdue[0][1]], status
    return (new[0] if new else None), status


def answer_card(
    cards: list[Card], key: str, answer: str, embedder: EmbedderLike, store: ScheduleStore, rating: str | None = None
) -> dict[str, Any]:
    """Grade `answer` against card `key` and record the review (rated by the grade, or by `rating`)."""
    card = next((c for c in cards if c.key == key), None)
    if card is None:
        raise QuizError(f"no card {key!r} in this deck: the note may have changed; ask for the next card")
    if rating is not None and rating not in RATINGS:
        raise QuizError(f"rating must be one of {', '.join(RATINGS)}")
    graded = grade(answer, card.answer, embedder)
    state = store.review(card.key, card.doc, card.question, rating or graded.rating, graded.score)
    return {"card": card.to_dict(), "grade": graded.to_dict(), "due": state.due.isoformat(), "reviews": state.reviews}
