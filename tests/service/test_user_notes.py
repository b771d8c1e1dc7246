"""A new user's own notes (not the seed notes: emoji, accents, CJK, Windows line endings) served with the
default quoting writer, used the way a chat client and a shell user would."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from notecite.cli import app
from tests.notes_settings import assert_citations_are_exact, served_notes

USER_NOTES = {
    "café ☕.md": (
        "# Café crème ☕🍵\n\n"
        "A flat white 🥛 is espresso topped with a thin layer of velvety microfoam.\n"
        "Crème brûlée is a custard under a crust of caramelized sugar 🔥.\n\n"
        "## 抹茶\n\n"
        "Matcha 抹茶 is a powdered green tea whisked with a bamboo chasen until frothy 🙂.\n"
    ),
    "grinders.txt": (
        "Grinders\r\n\r\n"
        "Burr grinders crush beans between two abrasive surfaces and give a consistent particle size.\r\n"
        "Blade grinders chop beans unevenly.\r\n"
    ),
}


@pytest.fixture(scope="module")
def user_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_notes(tmp_path_factory.mktemp("user-notes"), USER_NOTES) as url:
        yield url


def test_answers_about_non_ascii_notes_cite_exact_characters(user_url: str) -> None:
    with httpx.Client(base_url=user_url, timeout=60) as c:
        for question, words in [("How do I whisk matcha?", "chasen"), ("What do burr grinders do?", "burr")]:
            answer = c.post("/api/ask", json={"question": question}).json()
            assert not answer["abstained"] and words in answer["text"].lower(), answer["text"]
            assert_citations_are_exact(c, answer)


def test_a_name_the_embedder_does_not_know_is_answered_from_the_note_that_uses_it(user_url: str) -> None:
    """ "chasen" has a weak cosine with its own note; a word no note uses still abstains."""
    with httpx.Client(base_url=user_url, timeout=60) as c:
        named = c.post("/api/ask", json={"question": "What is a chasen?"}).json()
        assert not named["abstained"] and "chasen" in named["text"], named["text"]
        assert_citations_are_exact(c, named)
        assert c.post("/api/ask", json={"question": "What is a portafilter?"}).json()["abstained"]
        # in Japanese, the same rule on the question's kanji words: its kana grammar names no topic
        japanese = c.post("/api/ask", json={"question": "抹茶とは何ですか？"}).json()
        assert not japanese["abstained"] and "抹茶" in japanese["text"], japanese["text"]
        assert c.post("/api/ask", json={"question": "煎茶とは何ですか？"}).json()["abstained"]


def test_openai_stream_sends_the_quoted_answer_not_only_its_sources(user_url: str) -> None:
    """The quoting writer streams no tokens: a stream=true client still gets the answer, as a plain one does."""
    body = {"model": "notecite", "messages": [{"role": "user", "content": "What is a flat white?"}]}
    with httpx.Client(base_url=user_url, timeout=60) as c:
        plain = c.post("/v1/chat/completions", json=body).json()["choices"][0]["message"]["content"]
        with c.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as response:
            lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    streamed = "".join(json.loads(line[6:])["choices"][0]["delta"].get("content", "") for line in lines[:-1])
    assert "microfoam" in plain and "Sources:" in plain
    assert streamed == plain


@pytest.mark.parametrize(
    ("args", "setting"),
    [
        (["ingest", "{notes}", "--max-file-bytes", "-5"], "limits.max_file_bytes"),
        (["serve", "--port", "99999"], "port"),
    ],
)
def test_an_option_out_of_bounds_is_one_line_and_exit_2(tmp_path: Path, args: list[str], setting: str) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    argv = [a.format(notes=notes) for a in args] + ["--index", str(tmp_path / "index")]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"error: invalid setting {setting}: ") and "Traceback" not in result.output
    assert not (tmp_path / "index").exists()  # nothing ran


def test_openai_content_parts_and_developer_role_are_accepted(user_url: str) -> None:
    """Newer OpenAI clients send content as a list of text parts and the system prompt as role "developer"."""
    parts = [{"type": "text", "text": "What is a flat white?"}]
    messages = [{"role": "developer", "content": "Answer briefly."}, {"role": "user", "content": parts}]
    with httpx.Client(base_url=user_url, timeout=60) as c:
        reply = c.post("/v1/chat/completions", json={"messages": messages})
        image = [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]
        refused = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": image}]})
    assert reply.status_code == 200, reply.text
    assert "microfoam" in reply.json()["choices"][0]["message"]["content"]
    assert refused.status_code == 400, refused.text  # OpenAI's status and shape for an invalid request
    error = refused.json()["error"]
    assert "only text parts" in error["message"] and error["param"] == "messages.0.content"


def test_a_file_over_the_upload_limit_is_413_and_changes_nothing(user_url: str) -> None:
    with httpx.Client(base_url=user_url, timeout=60) as c:
        before = c.get("/api/documents").json()
        limit = c.get("/api/limits").json()["max_upload_bytes"]
        big = b"A long note about coffee.\n" * (limit // 26 + 2000)  # over the file limit, under the body cap
        response = c.post("/api/documents", files={"file": ("long notes.md", big, "text/markdown")})
        assert response.status_code == 413, response.text
        assert response.json()["detail"] == f"long notes.md is over the upload limit of {limit} bytes"
        assert c.get("/api/documents").json() == before


def test_serve_on_a_busy_port_is_one_line_before_any_indexing(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n\nA note.\n")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        argv = ["serve", "--port", str(port), "--notes", str(notes), "--index", str(tmp_path / "index")]
        result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert not (tmp_path / "index").exists()  # refused before the notes were indexed
