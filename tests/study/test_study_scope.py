"""Scoped questions: retrieval, abstention and citations stay inside the chosen documents or sections."""

from __future__ import annotations

import httpx
import pytest

from retrieval.retriever import ScopeSpan
from service.study.scope import ScopeError, parse_scope_option


def test_scoped_retrieval_ranks_only_passages_inside_the_scope(study_runtime):
    retriever = study_runtime.served.retriever
    unscoped = retriever.retrieve("where does a river drop its sediment", k=5)
    assert unscoped[0].doc == "rivers.md"
    scoped = retriever.retrieve("where does a river drop its sediment", k=5, scope=[ScopeSpan("optimizers.md")])
    assert scoped and {h.doc for h in scoped} == {"optimizers.md"}


def test_a_section_scope_keeps_hits_inside_its_span(study_runtime):
    reader = study_runtime.served.reader
    (span,) = parse_scope_option(["optimizers.md#Adam"], reader)
    text = reader.source_text("optimizers.md")
    assert text[span.start : span.end].startswith("## Adam")
    hits = study_runtime.served.retriever.retrieve("gradient", k=5, scope=[span])
    assert hits
    for hit in hits:
        assert hit.start < span.end and hit.end > span.start, hit


def test_unknown_documents_and_sections_are_refused(study_runtime):
    reader = study_runtime.served.reader
    with pytest.raises(ScopeError):
        parse_scope_option(["nope.md"], reader)
    with pytest.raises(ScopeError):
        parse_scope_option(["rivers.md#Glaciers"], reader)


def test_api_scope_limits_sources_and_citations(study_url):
    body = {"question": "What is Adam?", "scope": [{"doc": "optimizers.md"}]}
    answer = httpx.post(f"{study_url}/api/ask", json=body, timeout=60).json()
    assert not answer["abstained"]
    assert answer["citations"] and {c["doc"] for c in answer["citations"]} == {"optimizers.md"}
    assert {s["doc"] for s in answer["sources"]} == {"optimizers.md"}


def test_api_scope_abstains_when_the_scope_does_not_cover_the_question(study_url):
    question = "How does a river delta form?"
    free = httpx.post(f"{study_url}/api/ask", json={"question": question}, timeout=60).json()
    assert not free["abstained"] and free["citations"][0]["doc"] == "rivers.md"
    body = {"question": question, "scope": [{"doc": "biology_flashcards.txt"}]}
    scoped = httpx.post(f"{study_url}/api/ask", json=body, timeout=60).json()
    assert scoped["abstained"], scoped["text"]
    assert all(h["doc"] == "biology_flashcards.txt" for h in scoped["nearest"])


def test_api_refuses_a_scope_outside_the_index(study_url):
    response = httpx.post(f"{study_url}/api/ask", json={"question": "x?", "scope": [{"doc": "missing.md"}]})
    assert response.status_code == 422 and response.json()["error"] == "bad scope"
    response = httpx.post(
        f"{study_url}/api/ask", json={"question": "x?", "scope": [{"doc": "rivers.md", "start": 5, "end": 10**6}]}
    )
    assert response.status_code == 422
    hits = httpx.get(f"{study_url}/api/search", params={"q": "sediment", "doc": "optimizers.md"}).json()["hits"]
    assert hits and {h["doc"] for h in hits} == {"optimizers.md"}


def test_cli_ask_in_a_document(study_root, study_runtime):
    from typer.testing import CliRunner

    from core.settings import get_settings
    from notecite.cli import app

    settings = study_runtime.settings
    args = [
        "ask",
        "How does a river delta form?",
        "--notes",
        str(settings.notes_dir),
        "--index",
        str(settings.index_dir),
    ]
    no_code = study_root / "no-code"
    no_code.mkdir(exist_ok=True)
    env = {
        "NOTECITE_GENERATOR": "none",
        "NOTECITE_CODE_DIR": str(no_code),
        "NOTECITE_UPLOAD_DIR": str(settings.uploads),
    }
    runner = CliRunner()
    try:
        scoped = runner.invoke(app, [*args, "--in", "biology_flashcards.txt", "--json"], env=env)
        refused = runner.invoke(app, [*args, "--in", "rivers.md#Glaciers"], env=env)
    finally:  # settings read inside the invocations would keep this env for the tests after this one
        get_settings.cache_clear()
    assert scoped.exit_code == 3, scoped.output  # the notes in scope do not cover it: `notecite ask`'s exit 3
    assert '"abstained": true' in scoped.output
    assert refused.exit_code != 0 and "no section titled" in refused.output
