"""The HTTP API on a real uvicorn server with the real index and the real default models."""

from __future__ import annotations

import json
from collections.abc import Generator as PyGenerator
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from models.errors import GenerationError
from models.generator import Finish, Generator, Stream
from service.runtime import Runtime
from service.server import running_server
from tests.models.test_generator import EndlessBackend
from tests.notes_settings import assert_citations_are_exact
from tests.service.conftest import make_settings


def sse_events(response: httpx.Response) -> list[tuple[str, dict]]:
    events, name = [], None
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: ") and name:
            events.append((name, json.loads(line.removeprefix("data: "))))
            name = None
    return events


@pytest.fixture(scope="module")
def client(base_url: str):
    with httpx.Client(base_url=base_url, timeout=120) as c:
        yield c


def test_healthz_and_openapi(client: httpx.Client) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["documents"] >= 5
    spec = client.get("/openapi.json").json()
    for path in ["/api/ask", "/api/ask/stream", "/api/search", "/api/documents", "/v1/chat/completions"]:
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn." not in docs.text  # offline: assets come from the package
    script = next(part.split('"')[0] for part in docs.text.split('src="')[1:] if "swagger-ui-bundle" in part)
    assert client.get(script).status_code == 200
    page = client.get("/")
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_search_puts_lora_first(client: httpx.Client) -> None:
    hits = client.get("/api/search", params={"q": "what does LoRA keep frozen", "k": 5}).json()["hits"]
    assert "lora" in hits[0]["text"].lower()


def test_ask_answers_with_exact_citations(client: httpx.Client) -> None:
    answer = client.post("/api/ask", json={"question": "What does LoRA keep frozen during fine-tuning?"}).json()
    assert not answer["abstained"], answer
    assert answer["text"].strip()
    assert answer["sources"] and "lora" in answer["sources"][0]["text"].lower()
    assert answer["citations"], answer
    assert any(s["supported"] and s["citations"] for s in answer["sentences"])
    for sentence in answer["sentences"]:
        for n in sentence["citations"]:
            assert n in {c["n"] for c in answer["citations"]}
    assert_citations_are_exact(client, answer)


def test_stream_sends_tokens_then_citations_then_done(client: httpx.Client) -> None:
    body = {"question": "What is the vanishing gradient problem?"}
    with client.stream("POST", "/api/ask/stream", json=body) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response)
    names = [name for name, _ in events]
    assert names[-2:] == ["citations", "done"]
    assert names.count("token") >= 2 and set(names[:-2]) == {"token"}
    answer = events[-2][1]
    assert events[-1][1]["id"] == answer["id"]


def test_unanswerable_question_abstains_with_nearest_passages(client: httpx.Client) -> None:
    answer = client.post("/api/ask", json={"question": "What is the capital city of Peru?"}).json()
    assert answer["abstained"] is True
    assert "do not cover" in answer["text"].lower()
    assert answer["citations"] == [] and answer["nearest"]


def test_follow_up_is_answered_about_the_earlier_topic(client: httpx.Client) -> None:
    history = [
        {"role": "user", "content": "What is LoRA?"},
        {"role": "assistant", "content": "LoRA decomposes the weight update into low-rank matrices [1]."},
    ]
    answer = client.post(
        "/api/ask", json={"question": "and how is it merged at inference time?", "history": history}
    ).json()
    assert "lora" in answer["query"].lower()
    assert any("lora" in (s["text"] + " ".join(s["breadcrumbs"])).lower() for s in answer["sources"][:3])


def test_code_question_cites_reference_code(client: httpx.Client) -> None:
    answer = client.post("/api/ask", json={"question": "How do I code a GRU cell?"}).json()
    assert answer["code_question"] is True
    code = [c for c in answer["citations"] if c["kind"] == "code"]
    assert code, answer["citations"]
    first = code[0]
    assert first["doc"].startswith("reference/") and first["symbol"] and first["line_start"] <= first["line_end"]
    assert str(first["line_start"]) in first["code"].splitlines()[0]
    assert_citations_are_exact(client, answer)


def test_code_question_links_no_unrelated_code(client: httpx.Client) -> None:
    # the reference code has no decorator: its best symbol for this question is some other function
    answer = client.post("/api/ask", json={"question": "How do I write a decorator that times a function?"}).json()
    assert answer["code_question"] is True
    assert not [s for s in answer["sources"] if s["kind"] == "code"], answer["sources"]
    assert "Reference implementation" not in answer["text"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/sources/no-such-file.txt", {}, 404),
        ("/api/sources/..%2F..%2Fetc%2Fpasswd", {}, 404),  # encoded, so it reaches the handler as a doc name
        ("/api/sources/%2Fetc%2Fpasswd", {}, 404),
        ("/api/search", {"q": ""}, 422),
    ],
)
def test_bad_reads_are_json_errors(client: httpx.Client, path: str, params: dict, status: int) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "detail"} and body["detail"]


def test_bad_span_and_long_question_are_rejected(client: httpx.Client) -> None:
    doc = client.get("/api/documents").json()["documents"][0]["doc"]
    response = client.get(f"/api/sources/{doc}", params={"start": 10, "end": 5})
    assert response.status_code == 422 and "start" in response.json()["detail"]
    response = client.post("/api/ask", json={"question": "x" * 5000})
    assert response.status_code == 413 and "limit" in response.json()["detail"]
    response = client.post("/api/ask", json={"question": "   "})
    assert response.status_code == 422


def test_upload_ask_and_delete_a_note(client: httpx.Client) -> None:
    note = (
        "Quokka optimizer\n"
        "The Quokka optimizer scales each update by the cube root of the step count. "
        "It was invented for the notecite test suite and keeps a running maximum of gradients.\n"
    )
    response = client.post("/api/documents", files={"file": ("quokka.md", note.encode(), "text/markdown")})
    assert response.status_code == 201, response.text
    doc = response.json()["document"]["doc"]
    assert doc == "uploads/quokka.md" and response.json()["document"]["n_passages"] >= 1
    listed = {d["doc"]: d for d in client.get("/api/documents").json()["documents"]}
    assert listed[doc]["deletable"] is True

    answer = client.post("/api/ask", json={"question": "What does the Quokka optimizer scale updates by?"}).json()
    assert answer["sources"][0]["doc"] == doc

    assert client.delete(f"/api/documents/{doc}").status_code == 200
    assert doc not in {d["doc"] for d in client.get("/api/documents").json()["documents"]}
    assert client.get(f"/api/sources/{doc}").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("evil.exe", b"MZ\x00\x00", 415),
        ("empty.txt", b"   ", 400),
        ("../escape.txt", b"hello", 400),
        ("binary.txt", b"\x00\x01\x02\x03" * 100, 400),
    ],
)
def test_bad_uploads_are_rejected_and_change_nothing(client: httpx.Client, name: str, content: bytes, status: int):
    before = client.get("/healthz").json()
    response = client.post("/api/documents", files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    after = client.get("/healthz").json()
    assert after["documents"] == before["documents"]


def test_notes_dir_documents_cannot_be_deleted(client: httpx.Client) -> None:
    doc = next(d["doc"] for d in client.get("/api/documents").json()["documents"] if not d["deletable"])
    response = client.delete(f"/api/documents/{doc}")
    assert response.status_code == 409 and "notes folder" in response.json()["detail"]


def test_openai_chat_completions(client: httpx.Client) -> None:
    body = {"model": "notecite", "messages": [{"role": "user", "content": "What does ReLU stand for?"}]}
    reply = client.post("/v1/chat/completions", json=body).json()
    assert reply["object"] == "chat.completion"
    assert reply["choices"][0]["message"]["role"] == "assistant"
    assert reply["choices"][0]["message"]["content"].strip()

    with client.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as response:
        lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks).strip()
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_metrics_count_requests_and_tokens(client: httpx.Client) -> None:
    client.get("/healthz")
    text = client.get("/metrics").text
    assert 'notecite_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert "notecite_request_seconds_bucket" in text
    assert 'notecite_answer_seconds_count{route="ask"}' in text
    tokens = [line for line in text.splitlines() if line.startswith("notecite_tokens_generated_total ")]
    assert tokens and float(tokens[0].split()[1]) > 0


def test_api_key_and_rate_limit(tmp_path: Path, service_settings: Settings, runtime: Runtime) -> None:
    settings = make_settings(
        tmp_path,
        service_settings.notes_dir,
        index_dir=service_settings.index_dir,
        api_key="s3cret",
        limits={"rate_limit_per_minute": 5},
    )
    with running_server(settings, runtime) as url, httpx.Client(base_url=url, timeout=60) as c:
        files = {"file": ("keyed.txt", b"A note uploaded with the right key about keyed uploads.", "text/plain")}
        denied = c.post("/api/documents", files=files)
        assert denied.status_code == 401 and "Bearer" in denied.json()["detail"]
        wrong = c.post("/api/documents", files=files, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        key = {"Authorization": "Bearer s3cret"}
        assert c.post("/api/documents", files=files, headers=key).status_code == 201
        assert c.delete("/api/documents/uploads/keyed.txt").status_code == 401
        assert c.delete("/api/documents/uploads/keyed.txt", headers=key).status_code == 200
        statuses = [c.get("/api/search", params={"q": "lora"}).status_code for _ in range(6)]
        assert statuses[-1] == 429 and 200 in statuses
        assert c.get("/healthz").status_code == 200  # liveness is never rate limited


def test_oversized_upload_is_refused_by_its_headers(client: httpx.Client, service_settings: Settings) -> None:
    big = b"x" * (service_settings.limits.max_upload_bytes + 200_000)
    response = client.post("/api/documents", files={"file": ("big.txt", big, "text/plain")})
    assert response.status_code == 413 and "limit" in response.json()["detail"]


def test_a_client_leaving_mid_stream_frees_the_model(client: httpx.Client) -> None:
    with client.stream("POST", "/api/ask/stream", json={"question": "What is batch normalization?"}) as response:
        for line in response.iter_lines():
            if line.startswith("event: token"):
                break  # leave after the first token
    answer = client.post("/api/ask", json={"question": "What does ReLU stand for?"}, timeout=90).json()
    assert answer["text"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/ask/stream", {"question": "What is batch normalization?"}),
        (
            "/v1/chat/completions",
            {"stream": True, "messages": [{"role": "user", "content": "What is batch normalization?"}]},
        ),
    ],
)
def test_a_client_leaving_cancels_generation_at_once(
    path: str, body: dict, service_settings: Settings, runtime: Runtime
) -> None:
    backend = EndlessBackend()
    endless = Runtime(service_settings, runtime.embedder, Generator(backend, "endless"))
    with running_server(service_settings, endless) as url, httpx.Client(base_url=url, timeout=60) as c:
        with c.stream("POST", path, json=body) as response:
            next(line for line in response.iter_lines() if "t2 " in line)  # then leave
        # closed by the response, not left for the garbage collector: the worker stops well within the wait
        assert backend.stopped.wait(15)


def test_quoted_sentences_are_cited_each_not_the_text_between(service_settings: Settings, runtime: Runtime):
    """Through the real HTTP app and the quoting writer: two sentences quoted from one passage are two exact
    spans of one citation, the same in the JSON answer, the SSE event and the OpenAI-compatible endpoint."""
    question = "What is LoRA?"
    quoting = Runtime(service_settings, runtime.embedder, None)
    with running_server(service_settings, quoting) as url, httpx.Client(base_url=url, timeout=60) as c:
        answer = c.post("/api/ask", json={"question": question}).json()
        with c.stream("POST", "/api/ask/stream", json={"question": question}) as response:
            streamed = next(data for name, data in sse_events(response) if name == "citations")
        chat = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": question}]}).json()
        assert answer["writer"] == "extractive"
        assert_citations_are_exact(c, answer)
        split = next(x for x in answer["citations"] if len(x["spans"]) >= 2)
        text = c.get(f"/api/sources/{split['doc']}").json()["text"]
    first, second = split["spans"][:2]
    assert text[first["end"] : second["start"]].strip()  # words lie between the quotes, and no span holds them
    for other in (streamed["citations"], chat["citations"]):
        assert [x["spans"] for x in other] == [x["spans"] for x in answer["citations"]]
    listed = ", ".join(f"{s['start']}-{s['end']}" for s in split["spans"])
    assert f"({listed})" in chat["choices"][0]["message"]["content"]  # the Sources list names each span


class FailingGenerator:
    """A generator that breaks mid-answer, as a crashed model would."""

    name = "failing"

    def __init__(self, inner) -> None:  # noqa: ANN001
        self.inner = inner

    def stream(self, messages, *, max_tokens=160, stop=()):  # noqa: ANN001, ANN201
        return Stream(self.crash(self.inner.stream(messages, max_tokens=max_tokens, stop=stop)))

    @staticmethod
    def crash(stream: Stream) -> PyGenerator[str, None, Finish]:
        for i, piece in enumerate(stream):
            if i == 2:
                raise GenerationError("model crashed")
            yield piece
        return stream.finish  # an answer of two pieces or fewer ends before the crash


def test_model_failure_ends_the_stream_with_an_error_event(service_settings: Settings, runtime: Runtime):
    broken = Runtime(service_settings, runtime.embedder, FailingGenerator(runtime.generator))
    with (
        running_server(service_settings, broken) as url,
        httpx.Client(base_url=url, timeout=60) as c,
        c.stream("POST", "/api/ask/stream", json={"question": "What is LoRA?"}) as response,
    ):
        events = sse_events(response)
    assert [n for n, _ in events][-1] == "error"
    assert "model crashed" in events[-1][1]["detail"]


class RefusingGenerator:
    """A model that refuses everything, as the small tuned model sometimes does wrongly."""

    name = "refusing"

    def stream(self, messages, *, max_tokens=160, stop=()):  # noqa: ANN001, ANN201
        return Stream(self.refuse())

    @staticmethod
    def refuse() -> PyGenerator[str, None, Finish]:
        yield "The notes do not cover this."
        return Finish()


def test_a_wrong_refusal_on_strong_evidence_quotes_the_notes(service_settings: Settings, runtime: Runtime):
    pipeline = Runtime(service_settings, runtime.embedder, RefusingGenerator()).served.pipeline
    answer = pipeline.answer("Why can't zero in half-precision update parameters directly?")
    assert not answer.abstained and answer.citations
    for c in answer.citations:
        assert runtime.served.reader.source_text(c.doc)[c.start : c.end] == c.quote
        source = answer.sources[c.n - 1]
        assert source.start <= c.start < c.end <= source.end  # sentences of the cited passage
        for s in c.spans:  # the guard's quotes: each cited to its own characters
            assert runtime.served.reader.source_text(c.doc)[s.start : s.end] == s.quote
    assert "precision" in answer.text.lower()

    unanswerable = pipeline.answer("What is the capital city of Peru?")
    assert unanswerable.abstained and unanswerable.citations == []


def test_openai_stream_says_when_the_guard_replaced_the_streamed_answer(service_settings: Settings, runtime: Runtime):
    """The refusal's tokens are already on the client's screen: the stream must add the quotes that replace it."""
    refusing = Runtime(service_settings, runtime.embedder, RefusingGenerator())
    question = "Why can't zero in half-precision update parameters directly?"
    replacing = refusing.served.pipeline.answer(question)
    assert replacing.replaced == "refused" and replacing.citations
    body = {"model": "notecite", "stream": True, "messages": [{"role": "user", "content": question}]}
    with (
        running_server(service_settings, refusing) as url,
        httpx.Client(base_url=url, timeout=60) as c,
        c.stream("POST", "/v1/chat/completions", json=body) as response,
    ):
        lines = [line[6:] for line in response.iter_lines() if line.startswith("data: {")]
    text = "".join(json.loads(line)["choices"][0]["delta"].get("content", "") for line in lines)
    said, _, rest = text.partition("(That answer was set aside: refused. The notes say:)")
    assert said.strip() == "The notes do not cover this."
    assert rest.strip().startswith(replacing.text) and "Sources:" in rest


def test_openai_models_lists_the_one_model(client: httpx.Client) -> None:
    """OpenAI clients list the models before they chat (openai's models.list(), Open WebUI)."""
    listed = client.get("/v1/models").json()
    assert listed["object"] == "list" and [m["id"] for m in listed["data"]] == ["notecite"]
    assert client.get("/v1/models/notecite").json()["object"] == "model"
    missing = client.get("/v1/models/gpt-4")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "model_not_found" and "notecite" in missing.json()["error"]["message"]


@pytest.mark.parametrize(
    ("sent", "replaced", "abstained", "expected"),
    [
        ("ReLU [1];;;;;;;;;;", "degenerate", False, "\n\n(That answer was set aside: degenerate. The notes say:)\nq"),
        ("ReLU [1];;;;;;;;;;", None, True, "\n\n(That answer was set aside.) The notes do not cover this."),
        ("The notes do not cover this.", None, True, None),  # the refusal streamed is the answer
        ("ReLU is an activation [1].", None, False, None),  # the guard kept it
    ],
)
def test_openai_stream_corrects_every_streamed_answer_the_guard_set_aside(
    sent: str, replaced: str | None, abstained: bool, expected: str | None
) -> None:
    """Also when the guard found nothing to quote instead: the answer abstains, and the client must see it."""
    from service.answer import Answer
    from service.routes.chat import correction, set_aside

    text = "The notes do not cover this." if abstained else "q"
    answer = Answer("a", "q", "q", text, abstained, [], [], [], [], replaced=replaced)
    assert (correction(answer) if set_aside(answer, sent) else None) == expected
