"""What a developer expects of the API and the CLI: OpenAI's error shape on /v1 (and ours on /api), the
generation parameters /v1 takes, uploads that say what they replaced, one vocabulary and one set of defaults
for search across HTTP, CLI and MCP, and `notecite ask` checking its question and exiting 3 when it abstains.

Real servers over real notes (the quoting writer over small notes written here; the session's index and
llama.cpp model where the model writes), the real `openai` client, the real MCP client."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import openai
import pytest
from mcp import Client
from typer.testing import CliRunner

from core.settings import Settings, get_settings
from models.generator import Generator
from notecite.cli import app
from service.answer import Answer
from service.routes.chat import finish_reason
from service.runtime import Runtime
from service.server import running_server
from tests.models.test_generator import EndlessBackend
from tests.notes_settings import notes_settings
from tests.service.test_api import FailingGenerator

NOTES = {
    "rivers.md": (
        "# Rivers\n\n"
        "## Deltas\n\nA delta forms where a river deposits sediment as it enters slower water such as a sea.\n\n"
        "## Meanders\n\nA meander is a bend in a river channel that migrates as the outer bank erodes.\n\n"
        "## Oxbow lakes\n\nAn oxbow lake is a meander cut off from the river when the neck erodes through.\n"
    ),
    "stars.md": (
        "# Stars\n\n"
        "## Main sequence\n\nA main-sequence star fuses hydrogen into helium in its core.\n\n"
        "## White dwarfs\n\nA white dwarf is the dense remnant core left after a low-mass star sheds its layers.\n"
    ),
}
SEARCH_K = 3  # this server's default hits: not the shipped 10, so a hard-coded default elsewhere shows
ASK = [{"role": "user", "content": "What is a meander?"}]
ASKED = {"question": "What is a meander?"}
runner = CliRunner()


@pytest.fixture(scope="module")
def notes_runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    limits = {"rate_limit_per_minute": 1_000_000, "search_k": SEARCH_K, "max_body_bytes": 4096}
    return Runtime.build(notes_settings(tmp_path_factory.mktemp("consistency"), NOTES, limits=limits))


@pytest.fixture(scope="module")
def url(notes_runtime: Runtime) -> Iterator[str]:
    with running_server(notes_runtime.settings, notes_runtime) as base:
        yield base


@pytest.fixture()
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=60) as c:
        yield c


def chat(client: httpx.Client, **fields: object) -> httpx.Response:
    return client.post("/v1/chat/completions", json={"model": "notecite", "messages": ASK, **fields})


def assert_openai_error(response: httpx.Response, status: int, param: str | None, code: str) -> dict:
    """OpenAI's error object exactly: these four keys, the type its status gives, a message saying why."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and set(body["error"]) == {"message", "type", "param", "code"}, body
    error = body["error"]
    expected_type = "requests" if status == 429 else "server_error" if status >= 500 else "invalid_request_error"
    assert (error["type"], error["param"], error["code"]) == (expected_type, param, code), error
    assert error["message"].strip()
    return error


LONG = "x" * 2001  # the default max_question_chars is 2000
V1_ERRORS = [
    # (fields added to a valid chat request, status, param, code); OpenAI answers every invalid request 400
    ({"temperature": 3}, 400, "temperature", "less_than_equal"),
    ({"temperature": -0.5}, 400, "temperature", "greater_than_equal"),
    ({"max_tokens": -1}, 400, "max_tokens", "greater_than_equal"),
    ({"max_tokens": 0}, 400, "max_tokens", "greater_than_equal"),
    ({"max_completion_tokens": -3}, 400, "max_completion_tokens", "greater_than_equal"),
    ({"stop": ["a", "b", "c", "d", "e"]}, 400, "stop", "too_long"),
    ({"stop": ["\n\n", "x" * 65]}, 400, "stop.1", "string_too_long"),  # 4 stops of 250k characters fit in 1 MB
    ({"stop": "x" * 65}, 400, "stop.0", "string_too_long"),
    ({"n": 2}, 400, "n", "less_than_equal"),
    ({"messages": []}, 400, "messages", "too_short"),
    ({"messages": [{"role": "assistant", "content": "hi"}]}, 400, "messages", "no_question"),
    ({"messages": [{"role": "user", "content": "   "}]}, 400, "messages", "empty_question"),
    ({"messages": [{"role": "user", "content": LONG}]}, 413, "messages", "question_too_long"),
]


@pytest.mark.parametrize(("fields", "status", "param", "code"), V1_ERRORS)
def test_v1_refusals_are_openai_errors(client: httpx.Client, fields: dict, status: int, param: str, code: str):
    assert_openai_error(chat(client, **fields), status, param, code)


def test_v1_route_method_json_and_model_errors_are_openai_errors(client: httpx.Client) -> None:
    error = assert_openai_error(client.get("/v1/models/gpt-4"), 404, None, "model_not_found")
    assert "'gpt-4'" in error["message"] and "'notecite'" in error["message"]
    error = assert_openai_error(client.get("/v1/embeddings"), 404, None, "not_found")
    assert "GET /v1/embeddings" in error["message"]
    wrong_method = client.put("/v1/chat/completions", json={})
    assert_openai_error(wrong_method, 405, None, "method_not_allowed")
    assert wrong_method.headers["allow"] == "POST"
    not_json = client.post("/v1/chat/completions", content=b"{nope", headers={"content-type": "application/json"})
    assert "not valid JSON" in assert_openai_error(not_json, 400, None, "bad_request")["message"]
    big = client.post("/v1/chat/completions", content=b" " * 5000, headers={"content-type": "application/json"})
    assert "5000 bytes" in assert_openai_error(big, 413, None, "request_too_large")["message"]


def test_api_routes_keep_their_own_error_shape(client: httpx.Client) -> None:
    """{"error", "detail"} as documented, with /api's 422 for a well-formed request it cannot take."""
    for response, status in [
        (client.get("/api/search", params={"query": "delta", "k": 0}), 422),
        (client.post("/api/ask", json={"question": "   "}), 422),
        (client.get("/api/nothing"), 404),
        (client.post("/api/ask", content=b" " * 5000, headers={"content-type": "application/json"}), 413),
    ]:
        assert response.status_code == status, response.text
        assert set(response.json()) == {"error", "detail"}, response.text


def test_openai_client_reads_message_param_and_code(url: str) -> None:
    """openai's exceptions carry the message, param and code a developer would look at."""
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model="notecite", messages=ASK, temperature=3)  # type: ignore[arg-type]
    assert (bad.value.param, bad.value.code, bad.value.type) == (
        "temperature",
        "less_than_equal",
        "invalid_request_error",
    )
    assert bad.value.body["message"] == "temperature: Input should be less than or equal to 2 (got 3)"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError, match="at most 4 items"):
        client.chat.completions.create(model="notecite", messages=ASK, stop=list("abcde"))  # type: ignore[arg-type]
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("gpt-4")
    assert missing.value.code == "model_not_found"


def test_rate_limit_on_v1_is_an_openai_429(notes_runtime: Runtime, tmp_path: Path) -> None:
    settings = notes_runtime.settings.with_overrides(limits={"rate_limit_per_minute": 2})
    with running_server(settings, notes_runtime) as base, httpx.Client(base_url=base, timeout=60) as c:
        statuses = [c.get("/v1/models").status_code for _ in range(3)]
        limited = c.get("/v1/models")
        api_limited = c.get("/api/search", params={"query": "delta"})
    assert statuses[:2] == [200, 200]
    assert_openai_error(limited, 429, None, "rate_limit_exceeded")
    assert int(limited.headers["retry-after"]) >= 1
    assert api_limited.status_code == 429 and api_limited.json()["error"] == "rate limited"


def test_a_full_model_queue_is_an_openai_503(notes_runtime: Runtime) -> None:
    """The only answer slot held by a stream that never ends: a /v1 request gets 503 in OpenAI's shape."""
    settings = notes_runtime.settings.with_overrides(limits={"max_pending_answers": 1})
    backend = EndlessBackend()
    endless = Runtime(settings, notes_runtime.embedder, Generator(backend, "endless"))
    started, leave = threading.Event(), threading.Event()

    def hold(base: str) -> None:  # keeps reading: a client that stops reading has left, and frees the slot
        with httpx.Client(base_url=base, timeout=60) as h, h.stream("POST", "/api/ask/stream", json=ASKED) as r:
            for _ in r.iter_lines():
                started.set()
                if leave.is_set():
                    break

    with running_server(settings, endless) as base, httpx.Client(base_url=base, timeout=60) as c:
        holder = threading.Thread(target=hold, args=(base,))
        holder.start()
        assert started.wait(30), "the held answer never started"
        busy = chat(c)
        leave.set()
        holder.join(30)
    assert backend.stopped.wait(15)
    assert_openai_error(busy, 503, None, "busy")
    assert int(busy.headers["retry-after"]) >= 1


def test_the_quoting_writer_is_not_cut_by_max_tokens_or_stop(client: httpx.Client) -> None:
    """Its answer is whole sentences cited to their characters: the limits are documented as not applying."""
    plain = chat(client).json()
    limited = chat(client, max_tokens=1, stop=[".", "meander"], temperature=1.5).json()
    assert "bend in a river channel" in plain["choices"][0]["message"]["content"]
    assert limited["choices"][0]["message"]["content"] == plain["choices"][0]["message"]["content"]
    assert limited["choices"][0]["finish_reason"] == "stop" and limited["usage"]["completion_tokens"] == 0
    spec = client.get("/openapi.json").json()["components"]["schemas"]["ChatCompletionRequest"]["properties"]
    for name in ("max_tokens", "stop", "temperature"):
        assert "quot" in spec[name]["description"].lower(), name  # says what it means for the quoting writer


class RecordingGenerator:
    """The real model, and a record of the limits each generation was asked for."""

    def __init__(self, inner: Generator) -> None:
        self.inner, self.name, self.calls = inner, inner.name, []

    def stream(self, messages, *, max_tokens=160, stop=()):  # noqa: ANN001, ANN201
        self.calls.append((max_tokens, tuple(stop)))
        return self.inner.stream(messages, max_tokens=max_tokens, stop=stop)


def test_the_model_generates_within_max_tokens_and_stop(service_settings: Settings, runtime: Runtime) -> None:
    recording = RecordingGenerator(runtime.generator)
    model = Runtime(service_settings, runtime.embedder, recording)  # type: ignore[arg-type]
    budget = service_settings.answer.max_new_tokens  # 48 in these tests
    question = [{"role": "user", "content": "What does LoRA keep frozen during fine-tuning?"}]
    cases = [
        ({}, (budget, ())),
        ({"max_tokens": 5, "stop": "\n\n"}, (5, ("\n\n",))),
        ({"max_tokens": 1000}, (budget, ())),  # never more than the server's budget
        ({"max_tokens": 9, "max_completion_tokens": 7, "stop": ["Sources", "[9]"]}, (7, ("Sources", "[9]"))),
    ]
    with running_server(service_settings, model) as base, httpx.Client(base_url=base, timeout=120) as c:
        replies = [c.post("/v1/chat/completions", json={"messages": question, **fields}) for fields, _ in cases]
    assert [r.status_code for r in replies] == [200] * len(cases)
    assert recording.calls == [expected for _, expected in cases]
    assert replies[1].json()["usage"]["completion_tokens"] <= 5


def test_a_v1_stream_that_fails_after_it_began_ends_with_an_openai_error(
    service_settings: Settings, runtime: Runtime
) -> None:
    broken = Runtime(service_settings, runtime.embedder, FailingGenerator(runtime.generator))
    body = {"stream": True, "messages": [{"role": "user", "content": "What is LoRA?"}]}
    with (
        running_server(service_settings, broken) as base,
        httpx.Client(base_url=base, timeout=60) as c,
        c.stream("POST", "/v1/chat/completions", json=body) as response,
    ):
        lines = [line.removeprefix("data: ") for line in response.iter_lines() if line.startswith("data: ")]
    assert response.status_code == 200 and lines[-1] == "[DONE]"
    error = json.loads(lines[-2])["error"]
    assert (error["type"], error["param"], error["code"]) == ("server_error", None, "generation_failed")
    assert "model crashed" in error["message"]


@pytest.mark.parametrize(
    ("writer", "at_limit", "reason"),
    [("model", True, "length"), ("model", False, "stop"), ("extractive", True, "stop"), ("abstained", False, "stop")],
)
def test_finish_reason_says_length_when_the_model_stopped_at_its_limit(writer: str, at_limit: bool, reason: str):
    answer = Answer("a", "q", "q", "text", writer == "abstained", [], [], [], [], generated_tokens=5, writer=writer)
    answer.at_token_limit = at_limit
    assert finish_reason(answer) == reason


def test_finish_reason_counts_the_models_tokens_not_the_streamed_pieces(
    service_settings: Settings, runtime: Runtime
) -> None:
    """A piece that could begin a stop sequence is held back and joined to the next one: with the first piece
    itself as the start of a stop (that "\\0" never completes), 5 tokens stream as 4 pieces, and counting pieces
    answered "stop" for an answer cut at max_tokens=5."""
    unguarded = service_settings.model_copy(
        update={"answer": service_settings.answer.model_copy(update={"guard": False})}  # keep the 5-token answer
    )
    model = Runtime(unguarded, runtime.embedder, runtime.generator)
    question = {"messages": [{"role": "user", "content": "What does LoRA keep frozen during fine-tuning?"}]}
    with running_server(unguarded, model) as base, httpx.Client(base_url=base, timeout=120) as c:
        with c.stream("POST", "/v1/chat/completions", json={**question, "max_tokens": 5, "stream": True}) as r:
            chunks = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: {")]
        deltas = [c["choices"][0]["delta"].get("content") or "" for c in chunks]
        pieces = [d for d in deltas if d and not d.startswith("\n\nSources:")]  # the model's, one a token here
        held = c.post("/v1/chat/completions", json={**question, "max_tokens": 5, "stop": [pieces[0] + "\0"]}).json()
    assert len(pieces) == 5 and chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert held["choices"][0]["finish_reason"] == "length" and held["usage"]["completion_tokens"] == 5


def test_reupload_says_what_it_replaced_and_overwrite_false_refuses(client: httpx.Client) -> None:
    first, second = b"# Comets\n\nA comet is an icy body.\n", b"# Comets\n\nA comet is an icy body that sheds gas.\n"
    new = client.post("/api/documents", files={"file": ("comets.md", first, "text/markdown")})
    assert new.status_code == 201, new.text
    assert (new.json()["replaced"], new.json()["previous"]) == (False, None)

    again = client.post("/api/documents", files={"file": ("comets.md", second, "text/markdown")})
    assert again.status_code == 201, again.text
    previous = {"bytes": len(first), "sha256": hashlib.sha256(first).hexdigest()}
    assert (again.json()["replaced"], again.json()["previous"]) == (True, previous)
    assert again.json()["document"]["sha256"] == hashlib.sha256(second).hexdigest()

    refused = client.post(
        "/api/documents", files={"file": ("comets.md", first, "text/markdown")}, data={"overwrite": "false"}
    )
    assert refused.status_code == 409 and refused.json()["error"] == "already exists", refused.text
    assert "overwrite=true" in refused.json()["detail"] and f"{len(second)} bytes" in refused.json()["detail"]
    assert client.get("/api/sources/uploads/comets.md").json()["text"] == second.decode()  # nothing changed

    fresh = client.post(
        "/api/documents", files={"file": ("asteroids.md", first, "text/markdown")}, data={"overwrite": "false"}
    )
    assert fresh.status_code == 201 and fresh.json()["replaced"] is False
    for doc in ("uploads/comets.md", "uploads/asteroids.md"):
        assert client.delete(f"/api/documents/{doc}").status_code == 200


def docs_of(hits: list[dict]) -> list[tuple[str, int]]:
    return [(h["doc"], h["start"]) for h in hits]


def test_search_takes_one_vocabulary_and_the_old_names(client: httpx.Client) -> None:
    def search(**params: object) -> list[dict]:
        response = client.get("/api/search", params=params)
        assert response.status_code == 200, response.text
        return response.json()["hits"]

    default = search(query="river bend")
    assert len(default) == SEARCH_K  # the settings' default, not a number written in the route
    assert docs_of(search(q="river bend")) == docs_of(default)  # the deprecated name still works
    scoped = search(query="river bend", scope="stars.md", k=2)
    assert len(scoped) == 2 and {h["doc"] for h in scoped} == {"stars.md"}
    assert docs_of(search(query="river bend", doc="stars.md", k=2)) == docs_of(scoped)
    section = search(query="river", scope="rivers.md#Oxbow lakes")
    assert {h["breadcrumbs"][-1] for h in section} == {"Oxbow lakes"}
    too_many = client.get("/api/search", params={"query": "river", "k": 51})
    assert too_many.status_code == 422 and "between 1 and 50" in too_many.json()["detail"]
    params = client.get("/openapi.json").json()["paths"]["/api/search"]["get"]["parameters"]
    assert {p["name"] for p in params if p.get("deprecated")} == {"q", "doc"}


def find_entry(entries: list[dict], title: str) -> dict:
    for entry in entries:
        if entry["title"] == title:
            return entry
        if found := find_entry(entry["children"], title):
            return found
    return {}


def test_an_ask_scope_takes_the_names_search_takes(client: httpx.Client) -> None:
    """'DOC#Section title' in /api/ask's scope is the section's span from the guide, as in /api/search."""
    meanders = find_entry(client.get("/api/guide/rivers.md").json()["outline"], "Meanders")
    by_span = {"doc": "rivers.md", "start": meanders["start"], "end": meanders["end"]}
    asked = [
        client.post("/api/ask", json={"question": "What happens to a river?", "scope": [scope]}).json()
        for scope in (by_span, "rivers.md#Meanders")
    ]
    assert asked[0]["sources"] and asked[0]["sources"] == asked[1]["sources"]
    assert {s["breadcrumbs"][-1] for s in asked[1]["sources"]} == {"Meanders"}
    mixed = client.post("/api/ask", json={"question": "What is a star?", "scope": ["stars.md", by_span]}).json()
    assert {s["doc"] for s in mixed["sources"]} <= {"stars.md", "rivers.md"} and not mixed["abstained"]


def test_a_bad_scope_is_one_422_wherever_it_is_named(client: httpx.Client) -> None:
    unknown = {"question": "What is a delta?", "scope": [{"doc": "nope.md"}]}
    for response, named in [
        (client.post("/api/ask", json=unknown), "'nope.md'"),
        (client.post("/api/ask/stream", json=unknown), "'nope.md'"),
        (client.post("/api/ask", json={"question": "What is a delta?", "scope": ["rivers.md#Lakes"]}), "'Lakes'"),
        (client.get("/api/search", params={"query": "delta", "scope": "nope.md"}), "'nope.md'"),
        (client.get("/api/search", params={"query": "delta", "scope": "rivers.md#Lakes"}), "'Lakes'"),
    ]:
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "bad scope" and named in response.json()["detail"], response.text


@pytest.fixture()
def cli_env(notes_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The CLI reads the environment as a user's shell sets it: this index, its default k, no code folder."""
    settings = notes_runtime.settings
    monkeypatch.setenv("NOTECITE_LIMITS__SEARCH_K", str(SEARCH_K))
    monkeypatch.setenv("NOTECITE_CODE_DIR", "none")
    monkeypatch.setenv("NOTECITE_GENERATOR", "none")
    get_settings.cache_clear()
    yield ["--notes", str(settings.notes_dir), "--index", str(settings.index_dir)]
    get_settings.cache_clear()


def test_cli_search_has_the_http_defaults_and_names(cli_env: list[str], client: httpx.Client) -> None:
    index = cli_env[2:]
    default = runner.invoke(app, ["search", "river bend", *index, "--json"])
    assert default.exit_code == 0, default.output
    hits = json.loads(default.stdout)
    assert docs_of(hits) == docs_of(client.get("/api/search", params={"query": "river bend"}).json()["hits"])
    assert len(hits) == SEARCH_K
    scoped = [
        runner.invoke(app, ["search", "river bend", *index, "--json", flag, "stars.md"]) for flag in ("--scope", "--in")
    ]
    assert scoped[0].exit_code == 0 and scoped[0].stdout == scoped[1].stdout
    assert scoped[1].stderr == "warning: --in is deprecated; use --scope (same values)\n" and not scoped[0].stderr
    assert {h["doc"] for h in json.loads(scoped[0].stdout)} == {"stars.md"}
    over = runner.invoke(app, ["search", "river", *index, "-k", "51"])
    assert over.exit_code == 2 and "between 1 and 50" in over.stderr
    unknown = runner.invoke(app, ["search", "river", *index, "--scope", "nope.md"])
    assert unknown.exit_code == 2 and "'nope.md' is not in the index" in unknown.stderr


def test_mcp_search_has_the_http_defaults_and_names(url: str) -> None:
    async def call(arguments: dict) -> object:
        async with Client(f"{url}/mcp") as mcp:
            return await mcp.call_tool("search_notes", arguments)

    default = anyio.run(call, {"query": "river bend"})
    assert not default.is_error and len(default.structured_content["result"]) == SEARCH_K
    new, old = (anyio.run(call, {"query": "river bend", name: ["stars.md"]}) for name in ("scope", "docs"))
    assert new.structured_content == old.structured_content
    assert {h["doc"] for h in new.structured_content["result"]} == {"stars.md"}
    over = anyio.run(call, {"query": "river", "k": 51})
    assert over.is_error and "less than or equal to 50" in over.content[0].text


def test_cli_ask_checks_the_question_and_exits_3_when_the_notes_do_not_cover_it(cli_env: list[str]) -> None:
    answered = runner.invoke(app, ["ask", "What is a meander?", *cli_env])
    assert answered.exit_code == 0, answered.output
    assert "bend in a river channel" in answered.stdout

    uncovered = runner.invoke(app, ["ask", "What is the capital city of Peru?", *cli_env])
    assert uncovered.exit_code == 3, uncovered.output
    assert uncovered.stdout.startswith("The notes do not cover this.")  # still said, for the person reading
    as_json = runner.invoke(app, ["ask", "What is the capital city of Peru?", *cli_env, "--json"])
    assert as_json.exit_code == 3 and json.loads(as_json.stdout)["abstained"] is True

    too_long = runner.invoke(app, ["ask", LONG, *cli_env])
    assert too_long.exit_code == 2 and too_long.stdout == ""
    assert too_long.stderr.strip() == "error: the question has 2001 characters; the limit is 2000"
    scoped = runner.invoke(app, ["ask", "What is a meander?", *cli_env, "--in", "nope.md"])
    assert scoped.exit_code == 2 and "'nope.md' is not in the index" in scoped.stderr
