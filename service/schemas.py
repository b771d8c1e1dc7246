"""Request and response models of the HTTP API (the OpenAPI schema at /docs comes from these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class AskRequest(BaseModel):
    question: str = Field(min_length=1, description="The question, in your own words.")
    history: list[Turn] = Field(default_factory=list, max_length=40, description="Earlier turns, oldest first.")


class HitOut(BaseModel):
    node_id: str
    doc: str
    kind: str
    breadcrumbs: list[str]
    start: int
    end: int
    text: str
    score: float
    dense_score: float | None = None
    level: str = "passage"
    symbol: str | None = None
    line_start: int | None = None
    line_end: int | None = None


class CitationOut(BaseModel):
    n: int
    kind: str
    doc: str
    breadcrumbs: list[str]
    start: int
    end: int
    quote: str
    symbol: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    code: str | None = None


class SentenceOut(BaseModel):
    text: str
    citations: list[int]
    supported: bool
    support: float
    separator: str = " "


class AnswerOut(BaseModel):
    id: str
    question: str
    query: str
    text: str
    abstained: bool
    citations: list[CitationOut]
    sentences: list[SentenceOut]
    sources: list[HitOut]
    nearest: list[HitOut]
    code_question: bool
    timings_ms: dict[str, float]


class SearchOut(BaseModel):
    hits: list[HitOut]


class Highlight(BaseModel):
    start: int
    end: int


class SourceOut(BaseModel):
    doc: str
    kind: str
    text: str
    highlight: Highlight | None


class DocumentOut(BaseModel):
    doc: str
    sha256: str
    kind: str
    n_chunks: int
    indexed_at: str
    deletable: bool
    warnings: list[str] = Field(default_factory=list)


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]


class IngestReportOut(BaseModel):
    generation: str
    files: int
    chunks: int
    embedded: int
    removed: int
    skipped: list[list[str]]
    seconds: float


class UploadOut(BaseModel):
    document: DocumentOut
    report: IngestReportOut


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class ChatCompletionRequest(BaseModel):
    model: str = "notecite"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    max_tokens: int | None = None
    temperature: float | None = None
    extra: dict[str, Any] | None = None
