"""Tuning the embedder at ingest: a winning model is stored with its generation and embeds the queries;
a losing one is dropped for the packaged model; an unchanged re-ingest keeps the verdict without training."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ingest.pipeline import corpus_roots, embedding_text, ingest_corpus
from ingest.store import open_index
from models.embedder import load_embedder, min_cosine
from models.tuned_embedder import MODEL_DIR, RECORD, ingest_tuner
from service.runtime import Runtime
from tests.notes_settings import notes_settings

# a few steps of a small batch: the mechanics, not the quality (eval.embedder_tuning_eval measures that)
TUNING = {
    "enabled": True,
    "max_steps": 3,
    "batch_size": 8,
    "max_seq_length": 64,
    "learning_rate": 1e-4,
    "holdout": 0.3,
    "min_pairs": 16,
    "min_heldout": 8,
}
STAGES = [
    "parser",
    "loader",
    "scheduler",
    "cache",
    "compactor",
    "indexer",
    "router",
    "replicator",
    "sampler",
    "tokenizer",
    "uploader",
    "watcher",
]
STORES = ["kafka", "sqlite", "redis", "parquet", "postgres", "s3"]
KNOBS = ["batch-size", "timeout", "retries", "prefetch", "buffer", "threads"]


def ops_notes() -> str:
    """Twelve short sections, one topic each, with sentences long enough to become training pairs."""
    parts = ["# Pipeline operations\n"]
    for i, stage in enumerate(STAGES):
        store, knob = STORES[i % len(STORES)], KNOBS[(i * 5) % len(KNOBS)]
        parts.append(
            f"## The {stage} stage\n\n"
            f"The {stage} stage reads records from {store} and hands them to the next stage in order. "
            f"When the {stage} fails, restart it from the last checkpoint it wrote to {store}. "
            f"Most slowdowns of the {stage} go away after raising its {knob} setting.\n"
        )
    return "\n".join(parts)


def ingest_with_tuning(tmp_path: Path, **tuning: object):
    s = notes_settings(tmp_path, {"ops.md": ops_notes()}, embedder_tuning={**TUNING, **tuning})
    base = load_embedder(s.embedder)
    tuner = ingest_tuner(s)
    report = ingest_corpus(corpus_roots(s), s.index_dir, base, tuner=tuner)
    return s, base, tuner, report


def test_a_winning_tuned_model_is_stored_with_its_generation_and_embeds_the_queries(tmp_path: Path) -> None:
    s, base, tuner, report = ingest_with_tuning(tmp_path, min_gain=-1.0)  # below 0: keep it whatever it scores
    assert tuner is not None and tuner.result is not None
    assert tuner.result.kept and tuner.result.steps == 3 and tuner.result.heldout_pairs >= 8
    assert report.embedder.startswith(base.name + "+tuned-")

    reader = open_index(s.index_dir)
    model_dir = reader.path / MODEL_DIR
    assert reader.embedder_name == report.embedder
    assert (model_dir / "config.json").is_file() and list(model_dir.glob("*.safetensors"))
    assert json.loads((reader.path / RECORD).read_text())["kept"] is True

    served = Runtime(s, base, None).served  # what the service queries with
    tuned = served.retriever.embedder
    assert tuned is served.pipeline.embedder and tuned.name == report.embedder
    ids = reader.leaf_ids
    texts = [embedding_text(n) for n in reader.get_nodes(ids)]
    stored = reader.leaf_vectors(ids)
    assert min_cosine(tuned.embed(texts), stored) > 0.999  # the passages were embedded by the tuned model
    assert float(np.max(np.abs(base.embed(texts) - stored))) > 1e-3  # ...which is not the packaged one
    if s.query_onnx:  # a query takes the tuned model's own checked onnxruntime path, as the packaged one's does
        assert tuned.query is not None and tuned.query_path == "onnxruntime"
        question = ["why does the compactor fail"]
        assert min_cosine(tuned.embed(question), tuned.encode(question)) > 0.999
    hits = served.retriever.retrieve("what to do when the compactor fails", mode="dense", k=3)
    assert hits and "compactor" in hits[0].text
    reader.close()

    # nothing changed: the next generation keeps the tuned model without training again
    tuner2 = ingest_tuner(s)
    again = ingest_corpus(corpus_roots(s), s.index_dir, base, tuner=tuner2)
    assert tuner2 is not None and tuner2.result is None
    assert again.embedder == report.embedder and again.embedded == 0
    assert again.generation != report.generation
    assert (s.index_dir / "generations" / again.generation / MODEL_DIR / "config.json").is_file()


def test_a_tuned_model_that_does_not_win_falls_back_to_the_packaged_one(tmp_path: Path) -> None:
    s, base, tuner, report = ingest_with_tuning(tmp_path, min_gain=1.0)  # no model gains 1.0 MRR
    assert tuner is not None and tuner.result is not None and not tuner.result.kept
    assert report.embedder == base.name
    reader = open_index(s.index_dir)
    assert not (reader.path / MODEL_DIR).exists()
    assert json.loads((reader.path / RECORD).read_text())["kept"] is False
    reader.close()
    assert Runtime(s, base, None).served.retriever.embedder is base

    tuner2 = ingest_tuner(s)  # the verdict stands while the notes stay the same: no second training
    ingest_corpus(corpus_roots(s), s.index_dir, base, tuner=tuner2)
    assert tuner2 is not None and tuner2.result is None
