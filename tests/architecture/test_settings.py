"""Every NOTECITE_ variable the README lists reaches the object that uses it (issue 12)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from ingest.leaf_store import leaf_store
from ingest.pipeline import corpus_roots, ingest_options
from models.embedder import onnx_cache
from models.tuned_embedder import ingest_tuner
from retrieval.retriever import Retriever
from service.answer import AnswerPipeline
from service.app import create_app
from service.mcp_server import build_mcp_server
from service.runtime import answer_model

README = Path(__file__).resolve().parents[2] / "README.md"


def pipeline(s: Settings) -> AnswerPipeline:
    return AnswerPipeline(Retriever(None, None, s.retrieval), None, s.answer)  # type: ignore[arg-type]


def pipeline_for_runtime(s: Settings) -> AnswerPipeline:
    """The writer the service would run: `answer_model` loads nothing for 'none' and sends nothing for 'openai'."""
    return AnswerPipeline(Retriever(None, None, s.retrieval), None, s.answer, answer_model(s))  # type: ignore[arg-type]


def app_state(s: Settings) -> Any:
    return create_app(s, runtime=object()).state  # type: ignore[arg-type]


def openai_backend(s: Settings) -> Any:
    """The client NOTECITE_GENERATOR=openai builds (no request is sent)."""
    return answer_model(s.with_overrides(generator="openai")).backend


def limits_endpoint(s: Settings) -> dict:
    return TestClient(create_app(s, runtime=object())).get("/api/limits").json()  # type: ignore[arg-type]


def post_status(s: Settings, path: str, body: bytes) -> int:
    return TestClient(create_app(s, runtime=object())).post(path, content=body).status_code  # type: ignore[arg-type]


def cors_origin(s: Settings, origin: str) -> str | None:
    """The origin a browser's preflight from `origin` is allowed (None: CORS closed)."""
    client = TestClient(create_app(s, runtime=object()))  # type: ignore[arg-type]
    preflight = {"Origin": origin, "Access-Control-Request-Method": "GET"}
    return client.options("/api/search", headers=preflight).headers.get("access-control-allow-origin")


def search_k_schema(s: Settings) -> dict:
    """search_notes' k in the MCP tool schema: its default and bound, as /api/search and the CLI apply them."""
    tools = anyio.run(build_mcp_server(lambda: None, s.limits).list_tools)
    return next(t for t in tools if t.name == "search_notes").input_schema["properties"]["k"]


def tuner_settings(s: Settings) -> Any:
    """The knobs the ingest tuner trains by, when tuning is on."""
    return ingest_tuner(s.with_overrides(embedder_tuning={"enabled": True})).settings  # type: ignore[union-attr]


# variable -> (a value to set, what reads it from the objects built out of Settings, the value expected there)
CONSUMERS: dict[str, tuple[str, Callable[[Settings], Any], Any]] = {
    "NOTES_DIR": ("/tmp/n1", lambda s: corpus_roots(s)[0].path, Path("/tmp/n1")),
    "UPLOAD_DIR": ("/tmp/u1", lambda s: corpus_roots(s)[1].path, Path("/tmp/u1")),
    "CODE_DIR": ("/tmp/c1", lambda s: corpus_roots(s)[2].path, Path("/tmp/c1")),
    "INDEX_DIR": ("/tmp/i1", lambda s: s.index_dir, Path("/tmp/i1")),
    "CACHE_DIR": ("/tmp/k1", lambda s: s.cache_dir, Path("/tmp/k1")),
    "API_KEY": ("k-1", lambda s: app_state(s).settings.api_key, "k-1"),
    "EMBEDDER": ("all-MiniLM-L6-v2", lambda s: s.embedder, "all-MiniLM-L6-v2"),
    "QUERY_ONNX": ("false", lambda s: onnx_cache(s), None),
    "INGEST_BF16": ("false", lambda s: s.ingest_bf16, False),  # embedder_for passes it on (tests/models)
    "GENERATOR": ("openai", lambda s: pipeline_for_runtime(s).writer.name, "model"),  # the default quotes
    "BASE_MODEL": ("gemma3-270m", lambda s: s.base_model, "gemma3-270m"),
    "ADAPTER": ("none", lambda s: s.adapter, None),
    "THREADS": ("3", lambda s: s.threads, 3),
    "HOST": ("0.0.0.0", lambda s: s.host, "0.0.0.0"),
    "PORT": ("8123", lambda s: s.port, 8123),
    "WATCH": ("false", lambda s: app_state(s).settings.watch, False),
    "RETRIEVAL__CANDIDATE_K": ("33", lambda s: pipeline(s).retriever.params.candidate_k, 33),
    "RETRIEVAL__RRF_K": ("7", lambda s: pipeline(s).retriever.params.rrf_k, 7),
    "RETRIEVAL__DENSE_WEIGHT": ("0.5", lambda s: pipeline(s).retriever.params.dense_weight, 0.5),
    "RETRIEVAL__BM25_WEIGHT": ("1.5", lambda s: pipeline(s).retriever.params.bm25_weight, 1.5),
    "RETRIEVAL__MERGE_RATIO": ("0.9", lambda s: pipeline(s).retriever.params.merge_ratio, 0.9),
    "RETRIEVAL__MERGE_MAX_CHARS": ("1500", lambda s: pipeline(s).retriever.params.merge_max_chars, 1500),
    "RETRIEVAL__SENTENCE_WINDOW": ("3", lambda s: ingest_options(s)["sentence_window"], 3),
    "RETRIEVAL__SENTENCE_WEIGHT": ("0.25", lambda s: pipeline(s).retriever.params.sentence_weight, 0.25),
    "ANSWER__TOP_K": ("6", lambda s: pipeline(s).config.top_k, 6),
    "ANSWER__SOURCE_WORDS": ("90", lambda s: pipeline(s).writer.config.source_words, 90),
    "ANSWER__CODE_K": ("2", lambda s: pipeline(s).config.code_k, 2),
    "ANSWER__ABSTAIN_THRESHOLD": ("0.31", lambda s: pipeline(s).config.abstain_threshold, 0.31),
    "ANSWER__NEAR_TOPIC_THRESHOLD": ("0.4", lambda s: pipeline(s).config.near_topic_threshold, 0.4),
    "ANSWER__UNKNOWN_TERMS": ("3", lambda s: pipeline(s).config.unknown_terms, 3),
    "ANSWER__FEW_PASSAGES": ("5", lambda s: pipeline(s).config.few_passages, 5),
    "ANSWER__WORDING_PASSAGES": ("12", lambda s: pipeline(s).config.wording_passages, 12),
    "ANSWER__SUPPORT_THRESHOLD": ("0.5", lambda s: pipeline(s).writer.config.support_threshold, 0.5),
    "ANSWER__QUOTE_THRESHOLD": ("0.6", lambda s: pipeline(s).writer.config.quote_threshold, 0.6),
    "ANSWER__QUOTE_SENTENCES": ("3", lambda s: pipeline(s).writer.config.quote_sentences, 3),
    "ANSWER__QUOTE_WORDS": ("45", lambda s: pipeline(s).writer.config.quote_words, 45),
    "ANSWER__QUOTE_PASSAGE_WEIGHT": ("1.5", lambda s: pipeline(s).writer.config.quote_passage_weight, 1.5),
    "ANSWER__QUOTE_MARGIN": ("0.2", lambda s: pipeline(s).writer.config.quote_margin, 0.2),
    "ANSWER__GUARD_MARGIN": ("0.1", lambda s: pipeline(s).writer.config.guard_margin, 0.1),
    "ANSWER__GUARD": ("false", lambda s: pipeline(s).writer.config.guard, False),
    "ANSWER__MAX_NEW_TOKENS": ("99", lambda s: pipeline(s).writer.config.max_new_tokens, 99),
    "LIMITS__MAX_QUESTION_CHARS": ("123", lambda s: limits_endpoint(s)["max_question_chars"], 123),
    "LIMITS__MAX_UPLOAD_BYTES": ("4567", lambda s: limits_endpoint(s)["max_upload_bytes"], 4567),
    "LIMITS__MAX_FILE_BYTES": ("8910", lambda s: ingest_options(s)["max_file_bytes"], 8910),
    "LIMITS__MAX_PASSAGES_PER_FILE": ("37", lambda s: ingest_options(s)["max_passages_per_file"], 37),
    "LIMITS__RATE_LIMIT_PER_MINUTE": ("17", lambda s: app_state(s).limiter.per_minute, 17),
    "LIMITS__SEARCH_K": ("7", lambda s: search_k_schema(s)["default"], 7),
    "LIMITS__MAX_SEARCH_K": ("20", lambda s: search_k_schema(s)["maximum"], 20),
    "STORE__BACKEND": ("milvus", lambda s: leaf_store(s.store, Path(tempfile.mkdtemp())).name, "milvus"),
    "STORE__MILVUS_URI": ("http://milvus:19530", lambda s: s.store.milvus_uri, "http://milvus:19530"),
    "STORE__MILVUS_TOKEN": ("root:Milvus", lambda s: s.store.milvus_token, "root:Milvus"),
    "STORE__COLLECTION_PREFIX": ("team_a", lambda s: s.store.collection_prefix, "team_a"),
    "OPENAI__BASE_URL": ("http://llm:8080/v1", lambda s: openai_backend(s).base_url, "http://llm:8080/v1"),
    "OPENAI__MODEL": ("qwen", lambda s: openai_backend(s).config.model, "qwen"),
    "OPENAI__API_KEY": ("sk-1", lambda s: openai_backend(s)._http.headers["authorization"], "Bearer sk-1"),
    "OPENAI__CONNECT_TIMEOUT_S": ("1.5", lambda s: openai_backend(s)._http.timeout.connect, 1.5),
    "OPENAI__READ_TIMEOUT_S": ("7", lambda s: openai_backend(s)._http.timeout.read, 7.0),
    "LIMITS__MAX_BODY_BYTES": ("2048", lambda s: post_status(s, "/api/feedback", b"x" * 3000), 413),
    "LIMITS__MAX_PENDING_ANSWERS": ("3", lambda s: app_state(s).gate.capacity, 3),
    "LIMITS__GENERATION_TIMEOUT_S": ("7.5", lambda s: app_state(s).gate.timeout_s, 7.5),
    "CORS_ORIGINS": ('["http://x.test"]', lambda s: cors_origin(s, "http://x.test"), "http://x.test"),
    "EMBEDDER_TUNING__ENABLED": ("true", lambda s: ingest_tuner(s) is not None, True),
    "EMBEDDER_TUNING__MAX_STEPS": ("7", lambda s: tuner_settings(s).max_steps, 7),
    "EMBEDDER_TUNING__MAX_SECONDS": ("9.5", lambda s: tuner_settings(s).max_seconds, 9.5),
}


def readme_variables() -> list[str]:
    return sorted({m.removeprefix("NOTECITE_") for m in re.findall(r"`(NOTECITE_[A-Z0-9_]+)`", README.read_text())})


def test_the_readme_lists_every_variable_this_test_checks() -> None:
    assert readme_variables() == sorted(CONSUMERS)


@pytest.mark.parametrize("name", readme_variables())
def test_a_readme_variable_reaches_its_object(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    value, read, expected = CONSUMERS[name]
    monkeypatch.setenv(f"NOTECITE_{name}", value)
    assert read(Settings(_env_file=None)) == expected


def test_a_bad_value_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTECITE_ANSWER__TOP_K", "0")
    with pytest.raises(ValueError, match="top_k"):
        Settings(_env_file=None)


def test_the_default_writer_quotes_the_notes() -> None:
    """The measured choice (README, The answer model): quotes, unless a model is asked for."""
    assert pipeline_for_runtime(Settings(_env_file=None)).writer.name == "extractive"
