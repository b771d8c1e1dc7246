"""Questions in, answers with citations out: JSON, Server-Sent Events, and plain search."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from core.settings import Settings
from retrieval.retriever import ScopeSpan
from service.admission import GenerationTimeout, Slot
from service.answer import Answer, AnswerEvent, AnswerPipeline, TokenEvent
from service.deps import GateDep, MetricsDep, RuntimeDep, SettingsDep
from service.errors import ApiError, error_body
from service.metrics import ServiceMetrics
from service.schemas import AskRequest, SearchOut
from service.streaming import ClosingStreamingResponse, failure_detail, sse
from service.study.scope import ScopeError, parse_scope_option, resolve_scope

router = APIRouter(prefix="/api", tags=["ask"])


def event_stream_response(description: str, names: list[str] | None = None) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI 200 of a Server-Sent Events route (FastAPI documents an empty JSON body otherwise): the
    schema is one event's ({event, data}, as Schemathesis reads a stream), `data` being JSON text."""
    event: dict[str, Any] = {"type": "string", "enum": names} if names else {"type": "string"}
    properties = {"event": event, "data": {"type": "string", "description": "JSON (or [DONE])"}}
    schema = {"type": "object", "properties": properties, "required": ["data"]}
    return {200: {"description": description, "content": {"text/event-stream": {"schema": schema}}}}


def check_question(question: str, settings: Settings) -> str:
    question = question.strip()
    if not question:
        raise ApiError(422, "empty question", "the question is empty; type what you want to know")
    if len(question) > settings.limits.max_question_chars:
        raise ApiError(
            413,
            "question too long",
            f"the question has {len(question)} characters; the limit is {settings.limits.max_question_chars}",
        )
    return question


def check_scope(items: list[dict[str, Any]], reader: Any) -> list[ScopeSpan] | None:
    """The request's scope as retrieval's spans; 422 naming an unknown document or a span outside it."""
    try:
        return resolve_scope(items, reader)
    except ScopeError as exc:
        raise ApiError(422, "bad scope", str(exc)) from None


def record(answer: Answer, metrics: ServiceMetrics, route: str) -> None:
    """Answer-level metrics, counted once per answer whatever the route: the whole answer's time (which a
    streamed response's headers do not show) and the tokens the model generated for it."""
    metrics.answer_seconds.labels(route).observe(answer.timings_ms.get("total", 0.0) / 1000)
    metrics.tokens.inc(answer.generated_tokens)
    if answer.abstained:
        metrics.abstentions.inc()


def answer_in(
    slot: Slot,
    pipeline: AnswerPipeline,
    question: str,
    history: Sequence[dict[str, Any]],
    scope: list[ScopeSpan] | None = None,
) -> Answer:
    """The whole answer, written inside an admitted slot and its deadline (GenerationTimeout past it)."""
    with slot:
        for event in slot.timed(pipeline.stream(question, history, scope)):
            if isinstance(event, AnswerEvent):
                return event.answer
    raise RuntimeError("the answer stream ended without an answer")


def stream_failure(exc: Exception) -> dict[str, str]:
    if isinstance(exc, GenerationTimeout):
        return error_body("generation timed out", str(exc))
    return error_body("generation failed", failure_detail(exc))


@router.post("/ask", response_model=Answer)
def ask(body: AskRequest, runtime: RuntimeDep, settings: SettingsDep, metrics: MetricsDep, gate: GateDep) -> dict:
    """Answer a question from the notes, with checked citations (503 + Retry-After when the model's queue is full)."""
    question = check_question(body.question, settings)
    served = runtime.served
    scope = check_scope([item.model_dump() for item in body.scope], served.reader)
    history = [t.model_dump() for t in body.history]
    answer = answer_in(gate.admit(), served.pipeline, question, history, scope)
    record(answer, metrics, "ask")
    return answer.to_dict()


@router.post(
    "/ask/stream",
    response_class=StreamingResponse,
    responses=event_stream_response(
        "`token` {text}*, then `citations` (the Answer), then `done` {id}; or `error` {error, detail}",
        ["token", "citations", "done", "error"],
    ),
)
def ask_stream(body: AskRequest, runtime: RuntimeDep, settings: SettingsDep, metrics: MetricsDep, gate: GateDep):
    """Stream an answer as Server-Sent Events: token*, citations, done (or error)."""
    question = check_question(body.question, settings)
    served = runtime.served
    scope = check_scope([item.model_dump() for item in body.scope], served.reader)
    pipeline = served.pipeline
    history = [t.model_dump() for t in body.history]
    slot = gate.admit()  # before the response starts: a full queue is a 503, not an error event

    def events() -> Iterator[str]:
        try:
            for event in slot.timed(pipeline.stream(question, history, scope)):
                if isinstance(event, TokenEvent):
                    yield sse("token", {"text": event.text})
                elif isinstance(event, AnswerEvent):
                    record(event.answer, metrics, "ask_stream")
                    yield sse("citations", event.answer.to_dict())
                    yield sse("done", {"id": event.answer.id})
        except Exception as exc:  # a model failure ends the stream with an event, never a hung connection
            yield sse("error", stream_failure(exc))

    return ClosingStreamingResponse(
        events(),
        on_close=slot.release,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/search", response_model=SearchOut)
def search(
    runtime: RuntimeDep,
    settings: SettingsDep,
    q: str = Query(..., min_length=1, description="Search query"),
    k: int = Query(10, ge=1, le=50),
    mode: str = Query("hybrid", pattern="^(hybrid|dense|bm25)$"),
    doc: list[str] = Query(
        [], description="Search only these documents, or sections as 'DOC#Section title' (repeat for several)."
    ),
) -> dict:
    """Hybrid search over the notes and code, without generating an answer."""
    query = check_question(q, settings)
    served = runtime.served
    try:  # the names `notecite ask --in` and the MCP tools take
        scope = parse_scope_option(doc, served.reader)
    except ScopeError as exc:
        raise ApiError(422, "bad scope", str(exc)) from None
    hits = served.retriever.retrieve(query, mode=mode, k=k, scope=scope)  # type: ignore[arg-type]
    return {"hits": [h.to_dict() for h in hits]}
