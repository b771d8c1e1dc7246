"""Settings over a small set of notes written into a test's folder: the quoting writer, no reference code,
no API key, a rate limit no test reaches unless it sets one; those notes served over real HTTP; and the checks
every HTTP answer test makes of an answer's citations."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from core.settings import Settings


def write_notes(folder: Path, notes: Mapping[str, str | bytes]) -> Path:
    """Each note as text (UTF-8), or as the bytes of a binary file (a .docx)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in notes.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


def notes_settings(root: Path, notes: Mapping[str, str | bytes], **overrides: object) -> Settings:
    """Settings over `notes` written to `root/notes`, the index and uploads under `root/var`."""
    values: dict[str, object] = dict(
        _env_file=None,
        notes_dir=write_notes(root / "notes", notes),
        index_dir=root / "var" / "index",
        upload_dir=root / "var" / "uploads",
        code_dir=None,
        generator="none",
        api_key=None,
        limits={"rate_limit_per_minute": 1_000_000},
    )
    values.update(overrides)
    return Settings(**values)


@contextmanager
def served_notes(root: Path, notes: Mapping[str, str | bytes]) -> Iterator[str]:
    """The base URL of a real server over `notes` (`notes_settings`), indexed before it starts."""
    from service.runtime import Runtime
    from service.server import running_server

    runtime = Runtime.build(notes_settings(root, notes))
    with running_server(runtime.settings, runtime) as url:
        yield url


@contextmanager
def notes_client(root: Path, notes: Mapping[str, str | bytes]) -> Iterator[httpx.Client]:
    """An HTTP client of a real server over `notes` (`served_notes`), with time for a first answer's model loads."""
    with served_notes(root, notes) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield client


def assert_citations_are_exact(client: httpx.Client, answer: dict) -> None:
    """Each citation's spans index its document exactly, in order and apart; start/end/quote cover them."""
    for c in answer["citations"]:
        source = client.get(f"/api/sources/{c['doc']}", params={"start": c["start"], "end": c["end"]}).json()
        assert source["text"][c["start"] : c["end"]] == c["quote"]
        assert source["highlight"] == {"start": c["start"], "end": c["end"]}
        spans = c["spans"]
        assert spans and (spans[0]["start"], spans[-1]["end"]) == (c["start"], c["end"])
        assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:], strict=False))
        for span in spans:
            assert source["text"][span["start"] : span["end"]] == span["quote"]


def assert_answer_quotes(
    client: httpx.Client, question: str, quote: str, said: str, *, whole: bool = False, doc: str | None = None
) -> dict:
    """Ask `question` over HTTP: the notes answer it, every citation is exact (`assert_citations_are_exact`), a
    quoted span holds `quote` (the notes as written; with `whole`, a span is exactly `quote`), the answer's text
    reads `said`, and the first citation is in `doc` when given. Returns the answer for the caller's own checks."""
    answer = client.post("/api/ask", json={"question": question}).json()
    assert not answer["abstained"], answer["text"]
    assert_citations_are_exact(client, answer)
    quoted = [span["quote"] for cite in answer["citations"] for span in cite["spans"]]
    assert any(quote == q if whole else quote in q for q in quoted), quoted
    assert said in answer["text"], answer["text"]
    assert doc is None or answer["citations"][0]["doc"] == doc, answer["citations"]
    return answer
