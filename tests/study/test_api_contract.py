"""What a developer integrating notecite trips on first: a standard OpenAI client reading `usage` and
asking for `n` choices, a stream's usage chunk, a 405 without Allow, and `curl -d` without a JSON type."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import httpx
import openai
import pytest
from mcp import Client
from typer.testing import CliRunner

from notecite.cli import app
from service.server import running_server


@pytest.fixture(scope="module")
def chat(study_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{study_url}/v1", api_key="unused", max_retries=0)


def test_openai_client_gets_usage_unique_ids_and_a_clear_n_refusal(chat: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "What does ATP stand for?"}]
    first = chat.chat.completions.create(model="notecite", messages=messages)
    second = chat.chat.completions.create(model="notecite", messages=messages)
    assert first.usage is not None and first.usage.total_tokens == first.usage.completion_tokens >= 0
    assert first.id != second.id
    with pytest.raises(openai.BadRequestError, match="n: Input should be less than or equal to 1"):
        chat.chat.completions.create(model="notecite", messages=messages, n=2)
    stream = chat.chat.completions.create(
        model="notecite", messages=messages, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert "Adenosine triphosphate" in "".join(c.choices[0].delta.content or "" for c in chunks[:-1])
    plain = list(chat.chat.completions.create(model="notecite", messages=messages, stream=True))
    assert all(c.usage is None and c.choices for c in plain)


def test_http_errors_say_what_to_send(study_url: str) -> None:
    with httpx.Client(base_url=study_url, timeout=60) as client:
        wrong_method = client.put("/api/ask")
        form = client.post(
            "/api/ask",
            content=b'{"question": "What is a delta?"}',
            headers={"content-type": "application/x-www-form-urlencoded"},
        )  # curl -d
        untyped = client.post("/api/ask", content=b'{"question": "What is a delta?"}')
        not_object = client.post("/api/ask", json=["What is a delta?"])
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
    for response in (form, untyped):
        assert response.status_code == 400, response.text
        assert "Content-Type: application/json" in response.json()["detail"]
    assert not_object.status_code == 422
    assert not_object.json()["detail"].startswith("body: "), not_object.text


def test_an_empty_query_is_refused_by_the_cli_and_mcp_as_by_the_api(study_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["search", "  ", "--index", str(tmp_path / "none"), "--json"])
    assert result.exit_code == 2 and "the query is empty" in result.stderr and result.stdout == ""
    assert httpx.get(f"{study_url}/api/search", params={"q": " "}, timeout=30).status_code == 422

    async def call() -> object:
        async with Client(f"{study_url}/mcp") as client:
            return await client.call_tool("search_notes", {"query": " "})

    refused = anyio.run(call)
    assert refused.is_error and "the query is empty" in refused.content[0].text


def test_quiz_errors_are_named_as_the_other_routes_name_them(study_url: str) -> None:
    with httpx.Client(base_url=study_url, timeout=60) as client:
        unknown_doc = client.get("/api/quiz/next", params={"doc": "nope.md"})
        unknown_card = client.post("/api/quiz/answer", json={"doc": "rivers.md", "key": "nokey", "answer": "x"})
        bad_rating = client.post(
            "/api/quiz/answer", json={"doc": "rivers.md", "key": "nokey", "answer": "x", "rating": "bogus"}
        )
        schema = client.get("/openapi.json").json()["components"]["schemas"]["AnswerIn"]["properties"]["rating"]
    assert (unknown_doc.status_code, unknown_doc.json()["error"]) == (404, "unknown document")
    assert (unknown_card.status_code, unknown_card.json()["error"]) == (404, "unknown card")
    assert bad_rating.status_code == 422 and "'again', 'hard', 'good' or 'easy'" in bad_rating.json()["detail"]
    assert {"again", "hard", "good", "easy"} == set(schema["anyOf"][0]["enum"])


def test_openapi_documents_the_event_streams_as_event_streams(study_url: str) -> None:
    paths = httpx.get(f"{study_url}/openapi.json", timeout=30).json()["paths"]
    stream = paths["/api/ask/stream"]["post"]["responses"]["200"]["content"]
    assert set(stream) == {"text/event-stream"}  # it said application/json with an empty schema
    assert "text/event-stream" in paths["/v1/chat/completions"]["post"]["responses"]["200"]["content"]


def test_a_misspelt_ask_field_is_refused_not_ignored(study_url: str) -> None:
    body = {"question": "What is a delta?", "scopes": [{"doc": "rivers.md"}]}
    response = httpx.post(f"{study_url}/api/ask", json=body, timeout=60)
    assert response.status_code == 422 and "scopes: Extra inputs are not permitted" in response.json()["detail"]


def test_ingest_json_is_the_report_alone_on_stdout(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "tcp.md").write_text("# TCP\n\nTCP is a connection-oriented transport protocol.\n")
    (notes / "empty.md").write_text("")
    args = ["ingest", str(notes), "--index", str(tmp_path / "index"), "--no-code", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # no summary line or progress bar mixed in
    assert (report["files"], report["embedded"]) == (1, report["passages"]) and report["generation"]
    assert [doc for doc, _ in report["skipped"]] == ["empty.md"]


def test_a_401_names_the_bearer_scheme(study_runtime) -> None:  # noqa: ANN001 - service.runtime.Runtime
    settings = study_runtime.settings.with_overrides(api_key="k-1")
    with running_server(settings, study_runtime) as url, httpx.Client(base_url=url, timeout=60) as client:
        delete = client.delete("/api/documents/uploads/x.md")
        upload = client.post("/api/documents", files={"file": ("x.md", b"# x\n", "text/markdown")})
    for response in (delete, upload):
        assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")


def test_a_section_is_named_alike_in_the_cli_the_search_api_and_mcp(study_url: str) -> None:
    adam = "optimizers.md#Adam"  # `notecite ask --in` took it; /api/search?doc= and MCP's docs refused it
    hits = httpx.get(f"{study_url}/api/search", params={"q": "moving averages", "doc": adam}, timeout=30).json()
    assert hits["hits"] and {h["breadcrumbs"][-1] for h in hits["hits"]} == {"Adam"}, hits

    async def call() -> object:
        async with Client(f"{study_url}/mcp") as client:
            return await client.call_tool("search_notes", {"query": "moving averages", "docs": [adam]})

    result = anyio.run(call)
    assert not result.is_error and {h["breadcrumbs"][-1] for h in result.structured_content["result"]} == {"Adam"}


def test_a_long_chat_keeps_working(chat: openai.OpenAI) -> None:
    earlier = [{"role": r, "content": f"turn {i}"} for i in range(30) for r in ("user", "assistant")]
    messages = [*earlier, {"role": "user", "content": "What does ATP stand for?"}]  # 61 messages: was a 422
    reply = chat.chat.completions.create(model="notecite", messages=messages)
    assert "Adenosine triphosphate" in reply.choices[0].message.content


def test_a_browser_client_may_read_retry_after(study_runtime) -> None:  # noqa: ANN001 - service.runtime.Runtime
    origin = "https://tools.example"
    settings = study_runtime.settings.with_overrides(cors_origins=[origin])
    with running_server(settings, study_runtime) as url:
        response = httpx.get(f"{url}/api/search", params={"q": "delta"}, headers={"Origin": origin}, timeout=30)
    assert response.headers["access-control-allow-origin"] == origin
    assert "retry-after" in response.headers["access-control-expose-headers"].lower()
