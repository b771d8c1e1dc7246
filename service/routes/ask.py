"""Questions in, answers with citations out: JSON, Server-Sent Events, and plain search."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from retrieval.retriever import ScopeSpan
from service.admission import GenerationTimeout, Slot
from service.answer import Answer, AnswerEvent, AnswerPipeline, TokenEvent
from service.deps import GateDep, MetricsDep, RuntimeDep, SettingsDep
from service.errors import ApiError, error_body
from service.metrics import ServiceMetrics
from service.questions import check_question
from service.schemas import AskRequest, SearchOut
from service.streaming import ClosingStreamingResponse, failure_detail, sse
from service.study.scope import parse_scope_option, resolve_scope
from service.writers import NO_LIMITS, GenerationLimits

router = APIRouter(prefix="/api", tags=["ask"])


def event_stream_response(description: str, names: list[str] | None = None) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI 200 of a Server-Sent Events route (FastAPI documents an empty JSON body otherwise): the
    schema is one event's ({event, data}, as Schemathesis reads a stream), `data` being JSON text."""
    event: dict[str, Any] = {"type": "string", "enum": names} if names else {"type": "string"}
    properties = {"event": event, "data": {"type": "string", "description": "JSON (or [DONE])"}}
    schema = {"type": "object", "properties": properties, "required": ["data"]}
    return {200: {"description": description, "content": {"text/event-stream": {"schema": schema}}}}


def scope_of(body: AskRequest, reader: Any) -> list[ScopeSpan] | None:
    """The ask's scope as retrieval's spans: its {doc[, start, end]} items and its 'DOC#Section' names
    (ScopeError, a 422, for a document or section the index lacks)."""
    named = parse_scope_option([item for item in body.scope if isinstance(item, str)], reader) or []
    items = [item.model_dump() for item in body.scope if not isinstance(item, str)]
    spans = [*(resolve_scope(items, reader) or []), *named]
    return spans or None


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
    limits: GenerationLimits = NO_LIMITS,
) -> Answer:
    """The whole answer, written inside an admitted slot and its deadline (GenerationTimeout past it)."""
    with slot:
        for event in slot.timed(pipeline.stream(question, history, scope, limits)):
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
    scope = scope_of(body, served.reader)
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
    scope = scope_of(body, served.reader)
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
    query: str | None = Query(None, description="What to look for (required; `q` is its old name)."),
    k: int | None = Query(
        None,
        ge=1,
        description="Hits to return: default NOTECITE_LIMITS__SEARCH_K (10), at most "
        "NOTECITE_LIMITS__MAX_SEARCH_K (50); the same for `notecite search` and MCP search_notes.",
    ),
    mode: str = Query("hybrid", pattern="^(hybrid|dense|bm25)$"),
    scope: list[str] = Query(
        [], description="Search only these documents, or sections as 'DOC#Section title' (repeat for several)."
    ),
    q: str | None = Query(None, deprecated=True, description="Deprecated: the old name of `query`."),
    doc: list[str] = Query([], deprecated=True, description="Deprecated: the old name of `scope`."),
) -> dict:
    """Hybrid search over the notes and code, without generating an answer."""
    text = query if query is not None else q
    if text is None:
        raise ApiError(422, "invalid request", "query: Field required (GET /api/search?query=...)", "query")
    query = check_question(text, settings, param="query")
    try:
        hits_wanted = settings.limits.search_hits(k)
    except ValueError as exc:
        raise ApiError(422, "invalid request", f"k: {exc}", "k") from None
    served = runtime.served
    scope_spans = parse_scope_option([*scope, *doc], served.reader)  # ScopeError: 422, as /api/ask's scope
    hits = served.retriever.retrieve(query, mode=mode, k=hits_wanted, scope=scope_spans)  # type: ignore[arg-type]
    return {"hits": [h.to_dict() for h in hits]}
