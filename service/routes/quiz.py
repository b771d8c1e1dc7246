"""Quiz me over HTTP: decks per document, the next card due, and answers graded into FSRS reviews."""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from service.deps import RuntimeDep
from service.errors import ApiError
from service.study.cards import build_cards
from service.study.quiz import QuizError, answer_card, deck, next_card
from service.study.schedule import ScheduleStore, schedule_path

router = APIRouter(prefix="/api/quiz", tags=["quiz"])
_store_lock = threading.Lock()


def get_schedule(request: Request) -> ScheduleStore:
    """The review schedule, a SQLite file beside the feedback store (opened on first use, then kept)."""
    state = request.app.state
    with _store_lock:
        if getattr(state, "schedule", None) is None:
            state.schedule = ScheduleStore(schedule_path(state.settings.index_dir))
    return state.schedule


ScheduleDep = Annotated[ScheduleStore, Depends(get_schedule)]


class CardOut(BaseModel):
    key: str
    kind: str
    doc: str
    question: str
    breadcrumbs: list[str]


class DeckStatusOut(BaseModel):
    total: int
    due: int
    new: int


class NextOut(BaseModel):
    card: CardOut | None
    deck: DeckStatusOut


class DeckOut(BaseModel):
    doc: str
    cards: int


class AnswerIn(BaseModel):
    doc: str = Field(min_length=1)
    key: str = Field(min_length=1, max_length=64)
    answer: str = Field(max_length=5_000, description="What the user typed.")
    rating: Literal["again", "hard", "good", "easy"] | None = Field(None, description="Overrides the grade's rating.")


class GradeOut(BaseModel):
    verdict: str
    rating: str
    score: float
    similarity: float
    key_terms: float
    found: list[str]
    missing: list[str]


class AnsweredCardOut(CardOut):
    answer: str
    start: int
    end: int


class AnswerOut(BaseModel):
    card: AnsweredCardOut
    grade: GradeOut
    due: str
    reviews: int


def quiz_call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except QuizError as exc:  # named as the other routes name them (it was "quiz" for all three)
        if "not in the index" in str(exc):
            raise ApiError(404, "unknown document", str(exc)) from None
        if "no card" in str(exc):
            raise ApiError(404, "unknown card", str(exc)) from None
        raise ApiError(422, "invalid request", str(exc)) from None


@router.get("/decks", response_model=list[DeckOut])
def decks(runtime: RuntimeDep) -> list[dict]:
    """Every note with the number of cards it makes (flashcards, definitions, section titles)."""
    reader = runtime.served.reader
    return [{"doc": d.doc, "cards": len(build_cards(reader, d.doc))} for d in reader.documents() if d.kind == "note"]


@router.get("/next", response_model=NextOut)
def next_due(
    runtime: RuntimeDep,
    schedule: ScheduleDep,
    doc: str = Query(..., min_length=1),
    start: int | None = Query(None, ge=0, description="A section's start, to quiz that section only."),
    end: int | None = Query(None, ge=0),
) -> dict:
    """The next card due in the deck of `doc` (or of its section), or null when none is due; the deck's counts."""
    cards = quiz_call(deck, runtime.served.reader, doc, start, end)
    card, status = next_card(cards, schedule)
    out = None if card is None else {k: v for k, v in card.to_dict().items() if k in CardOut.model_fields}
    return {"card": out, "deck": status.to_dict()}


@router.post("/answer", response_model=AnswerOut)
def answer(body: AnswerIn, runtime: RuntimeDep, schedule: ScheduleDep) -> dict:
    """Grade the answer against the card (embedding similarity + key terms), schedule the card's next review
    (FSRS), and return the card's answer: the exact span of the note, to show highlighted."""
    cards = quiz_call(deck, runtime.served.reader, body.doc)
    return quiz_call(answer_card, cards, body.key, body.answer, runtime.embedder, schedule, body.rating)
