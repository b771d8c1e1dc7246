"""POST /api/feedback and GET /api/feedback: thumbs up/down on answers, stored by FeedbackStore."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from service.deps import SettingsDep, WriteAccess
from service.feedback import FeedbackStore
from service.questions import check_question

MAX_ANSWER_CHARS = 50_000
MAX_CITATIONS = 100


router = APIRouter(prefix="/api/feedback", tags=["feedback"])  # bad input: service.errors answers {"error", "detail"}


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, description="At most limits.max_question_chars characters.")
    answer: str = Field(max_length=MAX_ANSWER_CHARS)
    citations: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_CITATIONS)
    rating: Literal["up", "down"]
    answer_id: str | None = Field(None, max_length=200, description="The id from the ask response.")


class FeedbackOut(BaseModel):
    id: int
    answer_id: str | None
    question: str
    answer: str
    citations: list[dict[str, Any]]
    rating: Literal["up", "down"]
    created_at: str


class FeedbackList(BaseModel):
    feedback: list[FeedbackOut]
    counts: dict[str, int]


def get_feedback_store(request: Request) -> FeedbackStore:
    """The store the app's lifespan put on app.state.feedback."""
    return request.app.state.feedback


Store = Annotated[FeedbackStore, Depends(get_feedback_store)]


@router.post("", status_code=201, response_model=FeedbackOut, dependencies=[WriteAccess])
def add_feedback(body: FeedbackIn, store: Store, settings: SettingsDep) -> dict[str, Any]:
    """Store one rating with the question, answer and citations it rates."""
    record = store.add(
        question=check_question(body.question, settings),
        answer=body.answer,
        citations=body.citations,
        rating=body.rating,
        answer_id=body.answer_id,
    )
    return record.to_dict()


@router.get("", response_model=FeedbackList)
def list_feedback(
    store: Store,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    rating: Literal["up", "down"] | None = None,
) -> dict[str, Any]:
    """Ratings, newest first, and the totals per rating."""
    records = store.list(limit=limit, rating=rating)
    return {"feedback": [record.to_dict() for record in records], "counts": store.counts()}
