"""An OpenAI-compatible /v1/chat/completions, so existing chat clients can talk to notecite.

The last user message is the question, earlier turns are the history; the answer's citations are
appended as a "Sources" list (each source's quoted spans as start-end) and also returned whole in a
`citations` field (service.answer.Citation, with its exact `spans`). `max_tokens` and `stop` reach the
answer model's generation; quotes of the notes are never cut, and answers are greedy whatever `temperature`
says (service.schemas.ChatCompletionRequest). Errors come in OpenAI's shape (service/errors.py).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict

from fastapi import APIRouter

from models.prompts import is_refusal
from service.answer import Answer, AnswerEvent, TokenEvent
from service.deps import GateDep, MetricsDep, RuntimeDep, SettingsDep
from service.errors import ApiError, openai_error_body
from service.questions import check_question
from service.routes.ask import answer_in, event_stream_response, record, stream_failure
from service.schemas import MAX_HISTORY_TURNS, MODEL_ID, ChatCompletionRequest
from service.streaming import ClosingStreamingResponse
from service.writers import GenerationLimits

router = APIRouter(prefix="/v1", tags=["openai"])


def sources_block(answer: Answer) -> str:
    if not answer.citations:
        return ""
    lines = [
        f"[{c.n}] {c.doc} > {' > '.join(c.breadcrumbs)} ({', '.join(f'{s.start}-{s.end}' for s in c.spans)})"
        for c in answer.citations
    ]
    return "\n\nSources:\n" + "\n".join(lines)


def set_aside(answer: Answer, sent: str) -> bool:
    """Whether the streamed words are not the answer: the guard replaced them by quotes, or threw them out
    with none to quote (then the answer abstains, and only a refusal streamed was the answer itself)."""
    return bool(answer.replaced) or (answer.abstained and not is_refusal(sent))


def correction(answer: Answer) -> str:
    """What follows a streamed model answer the guard threw out: an OpenAI stream cannot take back what it
    sent, so it says so and sends what replaces it (the notes' own sentences, or the abstention)."""
    if answer.replaced is None:
        return f"\n\n(That answer was set aside.) {answer.text}"
    return f"\n\n(That answer was set aside: {answer.replaced}. The notes say:)\n{answer.text}"


def chunk(completion_id: str, model: str, delta: dict, finish: str | None = None) -> str:
    body = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def finish_reason(answer: Answer) -> str:
    """'length' when the model's answer stopped at its token limit (and was kept), as OpenAI says it: the
    backend's own count, not the streamed pieces (a held-back stop prefix joins several tokens into one)."""
    return "length" if answer.writer == "model" and answer.at_token_limit else "stop"


def usage(answer: Answer) -> dict:
    """OpenAI's usage block, which clients read unguarded: the tokens the answer model generated (the quoting
    writer generates none); the prompt, built from passages inside the writer, is not counted."""
    return {"prompt_tokens": 0, "completion_tokens": answer.generated_tokens, "total_tokens": answer.generated_tokens}


def usage_chunk(completion_id: str, model: str, counts: dict) -> str:
    body = {"id": completion_id, "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
    return f"data: {json.dumps({**body, 'choices': [], 'usage': counts})}\n\n"


def model_card() -> dict:
    return {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "notecite"}


@router.get("/models")
def list_models() -> dict:
    """What OpenAI clients (openai's models.list(), Open WebUI) ask for before they chat."""
    return {"object": "list", "data": [model_card()]}


@router.get("/models/{model}")
def get_model(model: str) -> dict:
    if model != MODEL_ID:
        raise ApiError(404, "no such model", f"the model {model!r} does not exist; the only model is {MODEL_ID!r}")
    return model_card()


@router.post(
    "/chat/completions",
    responses=event_stream_response("A chat.completion (JSON), or with stream=true chat.completion.chunk events"),
)
def chat_completions(
    body: ChatCompletionRequest, runtime: RuntimeDep, settings: SettingsDep, metrics: MetricsDep, gate: GateDep
):
    """OpenAI chat completions over the notes (stream=true gives chat.completion.chunk events).

    max_tokens and stop limit the answer model's generation; the quoting writer (the default) answers in
    whole quoted sentences, which they do not cut; temperature is accepted and answers stay greedy."""
    turns = [m.model_dump() for m in body.messages if m.role not in ("system", "developer")]
    if not turns or turns[-1]["role"] != "user":
        raise ApiError(422, "no question", "the last message must have role 'user'", param="messages")
    question = check_question(turns[-1]["content"], settings, param="messages")
    history = turns[:-1][-MAX_HISTORY_TURNS:]
    pipeline = runtime.served.pipeline
    limits = GenerationLimits(body.token_limit(), tuple(body.stop or ()))
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"  # unique per request (a millisecond clock repeated)
    slot = gate.admit()

    if not body.stream:
        answer = answer_in(slot, pipeline, question, history, limits=limits)
        record(answer, metrics, "chat")
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.text + sources_block(answer)},
                    "finish_reason": finish_reason(answer),
                }
            ],
            "usage": usage(answer),
            "citations": [asdict(c) for c in answer.citations],
        }

    def events() -> Iterator[str]:
        yield chunk(completion_id, body.model, {"role": "assistant"})
        sent: list[str] = []
        final: Answer | None = None
        try:
            for event in slot.timed(pipeline.stream(question, history, limits=limits)):
                if isinstance(event, TokenEvent):
                    sent.append(event.text)
                    yield chunk(completion_id, body.model, {"content": event.text})
                elif isinstance(event, AnswerEvent):
                    final = event.answer
                    record(event.answer, metrics, "chat_stream")
                    tail = sources_block(event.answer)
                    if not sent:  # the quoting writer and an abstention stream no tokens: send the text whole
                        tail = event.answer.text + tail
                    elif set_aside(event.answer, "".join(sent)):  # the client already shows the model's words
                        tail = correction(event.answer) + tail
                    if tail:
                        yield chunk(completion_id, body.model, {"content": tail})
            finish = finish_reason(final) if final is not None else "stop"
            yield chunk(completion_id, body.model, {}, finish=finish)
            if final is not None and body.stream_options and body.stream_options.include_usage:
                yield usage_chunk(completion_id, body.model, usage(final))
        except Exception as exc:  # the response began 200: the error goes in the stream, in OpenAI's shape
            failure = stream_failure(exc)
            yield f"data: {json.dumps(openai_error_body(500, failure['error'], failure['detail']))}\n\n"
        yield "data: [DONE]\n\n"

    return ClosingStreamingResponse(events(), on_close=slot.release, media_type="text/event-stream")
