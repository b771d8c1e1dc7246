"""`notecite bench retrieval`: latency of hybrid retrieval on the notes, against its parts as baselines.

Every mode runs on the same index, the same queries, in the same process, so the ratios are fair.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.retriever import Retriever

DEFAULT_QUERIES = [
    "what does LoRA keep frozen",
    "why does the vanishing gradient problem happen",
    "how does as_strided extract patches",
    "what is the difference between batch norm and layer norm",
    "how is BLEU computed",
    "what is reverse mode automatic differentiation",
    "why can't fp16 update parameters directly",
    "what does cuDNN provide",
    "bag of visual words codebook",
    "what are hyperparameters",
]


def load_queries(dataset: Path | None) -> list[str]:
    """The eval set's questions when given (realistic lengths), else a fixed list."""
    if dataset is None or not dataset.exists():
        return DEFAULT_QUERIES
    lines = dataset.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def time_mode(retriever: Retriever, queries: list[str], mode: str, merge: bool, repeats: int) -> list[float]:
    retriever.retrieve(queries[0], mode=mode, merge=merge)  # warm caches outside the measurement
    samples = []
    for _ in range(repeats):
        for query in queries:
            t0 = time.perf_counter()
            retriever.retrieve(query, mode=mode, merge=merge, k=10)  # type: ignore[arg-type]
            samples.append((time.perf_counter() - t0) * 1000)
    return samples


def bench_retrieval(retriever: Retriever, queries: list[str], repeats: int = 5) -> dict[str, Any]:
    """Median and p95 per mode, plus each mode's median as a ratio of the dense baseline's."""
    modes = {
        "dense": ("dense", False),
        "bm25": ("bm25", False),
        "hybrid": ("hybrid", False),
        "hybrid+merge": ("hybrid", True),
    }
    results: dict[str, dict[str, float]] = {}
    for name, (mode, merge) in modes.items():
        samples = time_mode(retriever, queries, mode, merge, repeats)
        results[name] = {
            "p50_ms": round(statistics.median(samples), 3),
            "p95_ms": round(float(np.percentile(samples, 95)), 3),
            "n": len(samples),
        }
    # the query embedding alone: the share of every dense and hybrid query spent in MiniLM
    embed = []
    for _ in range(repeats):
        for query in queries:
            t0 = time.perf_counter()
            retriever.embedder.embed([query])
            embed.append((time.perf_counter() - t0) * 1000)
    results["query_embedding_only"] = {
        "p50_ms": round(statistics.median(embed), 3),
        "p95_ms": round(float(np.percentile(embed, 95)), 3),
        "n": len(embed),
    }
    base = results["dense"]["p50_ms"]
    for row in results.values():
        row["p50_vs_dense"] = round(row["p50_ms"] / base, 3) if base else float("nan")
    return {
        "benchmark": "retrieval",
        "machine": {"python": platform.python_version(), "processor": platform.processor() or platform.machine()},
        "queries": len(queries),
        "repeats": repeats,
        "target": {"hybrid_p50_ms": 10.0},
        "modes": results,
    }
