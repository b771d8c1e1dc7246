"""Source guides: a document's outline and suggested questions, and starter questions for an empty chat."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from service.deps import RuntimeDep
from service.errors import ApiError
from service.study.guide import document_guide, starters

router = APIRouter(prefix="/api", tags=["guide"])


class OutlineEntryOut(BaseModel):
    title: str
    start: int
    end: int
    path: list[str]
    children: list[Any]  # OutlineEntryOut, nested


class SuggestionOut(BaseModel):
    question: str
    kind: str
    doc: str
    start: int
    end: int
    breadcrumbs: list[str]


class GuideOut(BaseModel):
    doc: str
    title: str
    outline: list[OutlineEntryOut]
    questions: list[SuggestionOut]


class StartersOut(BaseModel):
    questions: list[SuggestionOut]


@router.get("/guide", response_model=StartersOut)
def guide_starters(runtime: RuntimeDep, limit: int = Query(6, ge=1, le=30)) -> dict:
    """A few questions drawn from the notes (flashcard questions first), to start an empty chat with."""
    return {"questions": starters(runtime.served.reader, limit=limit)}


@router.get("/guide/{doc:path}", response_model=GuideOut)
def guide(doc: str, runtime: RuntimeDep) -> dict:
    """The document's outline (its inferred section tree, each entry a [start, end) span) and the questions
    it suggests: its flashcard questions and its section titles turned into questions."""
    found = document_guide(runtime.served.reader, doc)
    if found is None:
        raise ApiError(404, "unknown document", f"{doc!r} is not in the index; GET /api/documents lists them")
    return found
