"""Questions in, answers with citations out: JSON, Server-Sent Events, and plain search."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Query

from core.settings import Settings
from service.answer import Answer, AnswerEvent, TokenEvent
from service.deps import MetricsDep, RuntimeDep, SettingsDep
from service.errors import ApiError, error_body
from service.metrics import ServiceMetrics
from service.schemas import AskRequest, SearchOut
from service.streaming import ClosingStreamingResponse, failure_detail, sse

router = APIRouter(prefix="/api", tags=["ask"])


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


def record(answer: Answer, metrics: ServiceMetrics, route: str) -> None:
    """Answer-level metrics, counted once per answer whatever the route: the whole answer's time (which a
    streamed response's headers do not show) and the tokens the model generated for it."""
    metrics.answer_seconds.labels(route).observe(answer.timings_ms.get("total", 0.0) / 1000)
    metrics.tokens.inc(answer.generated_tokens)
    if answer.abstained:
        metrics.abstentions.inc()


@router.post("/ask", response_model=Answer)
def ask(body: AskRequest, runtime: RuntimeDep, settings: SettingsDep, metrics: MetricsDep) -> dict:
    """Answer a question from the notes, with checked citations."""
    question = check_question(body.question, settings)
    answer = runtime.served.pipeline.answer(question, [t.model_dump() for t in body.history])
    record(answer, metrics, "ask")
    return answer.to_dict()


@router.post("/ask/stream")
def ask_stream(body: AskRequest, runtime: RuntimeDep, settings: SettingsDep, metrics: MetricsDep):
    """Stream an answer as Server-Sent Events: token*, citations, done (or error)."""
    question = check_question(body.question, settings)
    pipeline = runtime.served.pipeline
    history = [t.model_dump() for t in body.history]

    def events() -> Iterator[str]:
        try:
            for event in pipeline.stream(question, history):
                if isinstance(event, TokenEvent):
                    yield sse("token", {"text": event.text})
                elif isinstance(event, AnswerEvent):
                    record(event.answer, metrics, "ask_stream")
                    yield sse("citations", event.answer.to_dict())
                    yield sse("done", {"id": event.answer.id})
        except Exception as exc:  # a model failure ends the stream with an event, never a hung connection
            yield sse("error", error_body("generation failed", failure_detail(exc)))

    return ClosingStreamingResponse(
        events(),
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
) -> dict:
    """Hybrid search over the notes and code, without generating an answer."""
    query = check_question(q, settings)
    hits = runtime.served.retriever.retrieve(query, mode=mode, k=k)  # type: ignore[arg-type]
    return {"hits": [h.to_dict() for h in hits]}
