"""Does tuning the embedder on a corpus's own passages help retrieval? Dense and hybrid with and without it.

For each corpus: one index with the packaged embedder, one tuning run over its passages (as ingest would do
it), then the questions of one half scored by dense and hybrid retrieval over the packaged vectors and over
the tuned ones, and hybrid at a few dense fusion weights (the "learned fusion weight" option). Tune and
choose on `dev`; `test` is read once, for the final choice (`--split test`).

    python -m eval.embedder_tuning_eval --corpora notes,gitlfs,pytutorial --out reports/embedder_tuning
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.settings import EmbedderTuningSettings, Settings, get_settings
from eval.corpus_eval import CORPUS_NAMES, build_index, corpus_inputs, score_split
from eval.dataset import validate
from eval.systems import retriever_search
from ingest.pipeline import embedding_text
from models.embedder import EMBEDDERS, Embedder, embedder_for, fast_path_for
from models.embedder_tuning import tune
from retrieval.retriever import Retriever

DENSE_WEIGHTS = (0.5, 0.75, 1.0, 1.5, 2.0)
METRICS = ("mrr@10", "recall@5", "recall@10")


class TunedVectors:
    """An index reader whose dense side answers from other vectors of the same leaves (exact search)."""

    def __init__(self, reader: Any, vectors: np.ndarray) -> None:
        self._reader = reader
        self._ids = reader.leaf_ids
        self._row = {i: n for n, i in enumerate(self._ids)}
        self._vectors = vectors

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)

    def __len__(self) -> int:
        return len(self._reader)

    def dense_search(self, query_vec: np.ndarray, k: int) -> list[tuple[str, float]]:
        scores = self._vectors @ query_vec
        top = np.argsort(-scores, kind="stable")[:k]
        return [(self._ids[i], float(scores[i])) for i in top]

    def leaf_vectors(self, ids: Sequence[str]) -> np.ndarray:
        return self._vectors[[self._row[i] for i in ids]]

    def sentence_search(self, query_vec: np.ndarray, ids: Sequence[str]) -> list[tuple[str, float]]:
        return []  # the index's sentence windows were embedded by the packaged model, not these vectors' one


def leaves_of(reader: Any) -> tuple[list[Any], list[str], np.ndarray]:
    """(leaf nodes, their embedded texts, their stored vectors), in the index's leaf order."""
    ids = reader.leaf_ids
    nodes = reader.get_nodes(ids)
    return nodes, [embedding_text(n) for n in nodes], reader.leaf_vectors(ids)


def scores_for(reader: Any, embedder: Any, settings: Settings, questions: Sequence[Any]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for weight in DENSE_WEIGHTS:
        params = settings.retrieval.model_copy(update={"dense_weight": weight})
        retriever = Retriever(reader, embedder, params)
        name = "hybrid" if weight == settings.retrieval.dense_weight else f"hybrid@dense_weight={weight}"
        out[name] = score_split(questions, retriever_search(retriever, "hybrid", False), reader.source_text)
        if weight == settings.retrieval.dense_weight:
            out["dense"] = score_split(questions, retriever_search(retriever, "dense", False), reader.source_text)
    return out


def run(name: str, split: str, settings: Settings, tuning: EmbedderTuningSettings, log=print) -> dict[str, Any]:
    notes, datasets = corpus_inputs(name, settings, log)
    questions = validate(datasets[split], notes)
    base = embedder_for(settings, device="cpu")
    with tempfile.TemporaryDirectory(prefix="notecite-tuning-eval-") as tmp:
        reader = build_index(notes, Path(tmp) / "index", base, settings)
        try:
            nodes, texts, base_vectors = leaves_of(reader)
            load_before = os.getloadavg()
            result, model, tuned_vectors = tune(
                nodes, texts, base_vectors, base.embed, EMBEDDERS[settings.embedder].locate(), tuning
            )
            load_after = os.getloadavg()
            log(f"{name}: {len(nodes)} passages; {result.summary()}; load {load_before[0]:.1f}->{load_after[0]:.1f}")
            row: dict[str, Any] = {
                "passages": len(nodes),
                "questions": len(questions),
                "tuning": vars(result),
                "load_1min": [load_before[0], load_after[0]],
                "base": scores_for(reader, base, settings, questions),
            }
            if model is not None:
                tuned = Embedder(settings.embedder + "+tuned", model, base.dim, fast_path_for(model))
                row["tuned"] = scores_for(TunedVectors(reader, tuned_vectors), tuned, settings, questions)
        finally:
            reader.close()
    return row


def table(report: dict[str, Any], split: str) -> list[str]:
    lines = [
        f"| corpus ({split}) | passages | held-out MRR base -> tuned | kept | tune s | dense MRR@10 base / tuned "
        "| hybrid MRR@10 base / tuned | hybrid R@5 base / tuned | best dense_weight (base) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in report.items():
        t, b, u = row["tuning"], row["base"], row.get("tuned", row["base"])
        best = max((k for k in b if k.startswith("hybrid")), key=lambda k: b[k]["mrr@10"])
        lines.append(
            f"| {name} | {row['passages']} | {t['base_mrr']:.3f} -> {t['tuned_mrr']:.3f} | {t['kept']} | "
            f"{t['seconds']:.0f} | {b['dense']['mrr@10']:.3f} / {u['dense']['mrr@10']:.3f} | "
            f"{b['hybrid']['mrr@10']:.3f} / {u['hybrid']['mrr@10']:.3f} | "
            f"{b['hybrid']['recall@5']:.3f} / {u['hybrid']['recall@5']:.3f} | {best} {b[best]['mrr@10']:.3f} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default=",".join(CORPUS_NAMES))
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--out", type=Path, default=Path("reports/embedder_tuning"))
    parser.add_argument("--set", action="append", default=[], help="tuning knob=value (e.g. max_steps=120)")
    args = parser.parse_args(argv)
    settings = get_settings()
    knobs = dict(kv.split("=", 1) for kv in args.set)
    tuning = EmbedderTuningSettings.model_validate({**settings.embedder_tuning.model_dump(), **knobs})
    began = time.perf_counter()
    report = {name: run(name, args.split, settings, tuning) for name in args.corpora.split(",")}
    args.out.mkdir(parents=True, exist_ok=True)
    tag = "_".join([args.split, *(kv.replace("=", "") for kv in args.set)])
    (args.out / f"{tag}.json").write_text(
        json.dumps({"tuning": tuning.model_dump(), "corpora": report}, indent=1) + "\n"
    )
    md = table(report, args.split)
    (args.out / f"{tag}.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    print(f"{time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
