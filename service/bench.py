"""`notecite bench retrieval`: latency of hybrid retrieval on the notes, against its parts as baselines.

Every mode runs on the same index, the same queries, in the same process, so the ratios are fair; the
modes take turns (one pass over the queries each, `repeats` rounds), so a change in the machine's load
falls on all of them. "Before" is the same retrieval with the query embedded by the torch path and every
ranked passage stemmed again for the key-term boost, as it ran before the onnxruntime query path and the
stems cache; wall and CPU milliseconds are both kept (on a shared machine the CPU time moves far less).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.retriever import Retriever
from retrieval.terms import frozen_key_stems

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


@contextmanager
def torch_query(retriever: Retriever) -> Iterator[None]:
    """Single queries through the embedder's batch path (torch), as before the onnxruntime query path."""
    embedder = retriever.embedder
    query = getattr(embedder, "query", None)
    embedder.query = None  # type: ignore[attr-defined]
    try:
        yield
    finally:
        embedder.query = query  # type: ignore[attr-defined]


@contextmanager
def stems_uncached(retriever: Retriever) -> Iterator[None]:
    """Every ranked passage stemmed again on each query, as before the stems cache."""
    rarity = retriever.term_rarity
    cached = rarity.stems_of
    rarity.stems_of = frozen_key_stems  # type: ignore[assignment]
    try:
        yield
    finally:
        rarity.stems_of = cached


@contextmanager
def no_boost(retriever: Retriever) -> Iterator[None]:
    params = retriever.params
    retriever.params = params.model_copy(update={"term_weight": 0.0})
    try:
        yield
    finally:
        retriever.params = params


Variant = tuple[Callable[[str], Any], tuple[Callable[[Retriever], Any], ...]]


def variants(retriever: Retriever, breakdown: bool) -> dict[str, Variant]:
    """Name -> (what one query runs, the contexts it runs in). `modes` are today's paths, the rest baselines."""

    def search(mode: str, merge: bool) -> Callable[[str], Any]:
        return lambda q: retriever.retrieve(q, mode=mode, merge=merge, k=10)  # type: ignore[arg-type]

    def embed(q: str) -> Any:
        return retriever.embedder.embed([q])

    before = (torch_query, stems_uncached)
    out: dict[str, Variant] = {
        "dense": (search("dense", False), ()),
        "bm25": (search("bm25", False), ()),
        "hybrid": (search("hybrid", False), ()),
        "hybrid+merge": (search("hybrid", True), ()),
        # the query embedding alone: the share of every dense and hybrid query spent in MiniLM
        "query_embedding_only": (embed, ()),
        "hybrid, before": (search("hybrid", False), before),
        "hybrid+merge, before": (search("hybrid", True), before),
        "query_embedding_only, torch": (embed, (torch_query,)),
    }
    if breakdown:
        out["hybrid, torch query"] = (search("hybrid", False), (torch_query,))
        out["hybrid, stems uncached"] = (search("hybrid", False), (stems_uncached,))
        out["hybrid, no key-term boost"] = (search("hybrid", False), (no_boost,))
    return out


def summary(wall: list[float], cpu: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(wall), 3),
        "p95_ms": round(float(np.percentile(wall, 95)), 3),
        "cpu_p50_ms": round(statistics.median(cpu), 3),
        "n": len(wall),
    }


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else float("nan")


def bench_retrieval(
    retriever: Retriever, queries: list[str], repeats: int = 5, breakdown: bool = False
) -> dict[str, Any]:
    """Median and p95 (wall) and median CPU per mode, each mode's median as a ratio of the dense baseline's,
    and the before/after ratios of hybrid retrieval and of the query embedding."""
    runs = variants(retriever, breakdown)
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    load = os.getloadavg()[0]
    for _ in range(repeats):
        for name, (run, contexts) in runs.items():
            with ExitStack() as stack:
                for context in contexts:
                    stack.enter_context(context(retriever))
                run(queries[0])  # warm caches outside the measurement
                for query in queries:
                    t0, c0 = time.perf_counter(), time.process_time()
                    run(query)
                    wall[name].append((time.perf_counter() - t0) * 1000)
                    cpu[name].append((time.process_time() - c0) * 1000)
    results = {name: summary(wall[name], cpu[name]) for name in runs}
    base = results["dense"]["p50_ms"]
    for row in results.values():
        row["p50_vs_dense"] = ratio(row["p50_ms"], base)
    modes = ("dense", "bm25", "hybrid", "hybrid+merge", "query_embedding_only")
    pairs = {
        "hybrid": ("hybrid, before", "hybrid"),
        "hybrid+merge": ("hybrid+merge, before", "hybrid+merge"),
        "query_embedding": ("query_embedding_only, torch", "query_embedding_only"),
    }
    embedder = retriever.embedder
    return {
        "benchmark": "retrieval",
        "machine": {
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
        },
        "load_avg": [round(load, 2), round(os.getloadavg()[0], 2)],
        "queries": len(queries),
        "repeats": repeats,
        "paths": {"query": getattr(embedder, "query_path", ""), "batch": getattr(embedder, "path", "")},
        "target": {"hybrid_p50_ms": 15.0},
        "modes": {name: results[name] for name in modes},
        "baselines": {name: row for name, row in results.items() if name not in modes},
        "before_over_after": {
            name: {
                "p50": ratio(results[b]["p50_ms"], results[a]["p50_ms"]),
                "cpu_p50": ratio(results[b]["cpu_p50_ms"], results[a]["cpu_p50_ms"]),
            }
            for name, (b, a) in pairs.items()
        },
        "query_embedding_share_p50": ratio(results["query_embedding_only"]["p50_ms"], results["hybrid"]["p50_ms"]),
    }


def markdown(report: dict[str, Any]) -> str:
    """The report as tables: every mode and baseline, then before/after."""
    rows = {**report["modes"], **report["baselines"]}
    lines = [
        "# notecite bench retrieval",
        "",
        f"{report['queries']} queries x {report['repeats']} rounds, modes in turn; query path "
        f"{report['paths']['query']}, batch path {report['paths']['batch']}; load average {report['load_avg']}.",
        "",
        "| mode | p50 ms | p95 ms | CPU p50 ms | p50 / dense |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {n} | {r['p50_ms']} | {r['p95_ms']} | {r['cpu_p50_ms']} | {r['p50_vs_dense']} |" for n, r in rows.items()
    ]
    lines += ["", "| before / after | p50 | CPU p50 |", "|---|---|---|"]
    lines += [f"| {n} | {r['p50']}x | {r['cpu_p50']}x |" for n, r in report["before_over_after"].items()]
    lines += ["", f"query embedding share of hybrid p50: {report['query_embedding_share_p50']}", ""]
    return "\n".join(lines)
