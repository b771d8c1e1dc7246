"""`notecite bench retrieval --sizes ...`: retrieval engines side by side at 10k, 100k and 1M passages.

Dense: FAISS flat (exact) vs FAISS HNSW vs Milvus Lite, on synthetic L2-normalized vectors (the issue allows
them for size) with HNSW recall@10 against the exact search. BM25: rank-bm25 vs bm25s vs the service's own
(ingest.bm25, rank-bm25's scores from postings) vs Milvus's BM25 on real passages (the seed notes'
passages, cycled with a per-copy marker word until the size is reached). Hybrid: the passage-level fusion
of the service (reciprocal rank fusion) over FAISS (flat, or HNSW from the service's threshold on, as the
service builds it) + the service's BM25, with the query embedding timed on its own so its share of a
query is visible. Everything runs in one process, on the
same queries, so ratios are fair; medians and tails are over individual queries.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from core.settings import RetrievalSettings
from ingest import faiss_index
from ingest.bm25 import tokenize
from ingest.sentence_vectors import SentenceIndex
from retrieval.retriever import reciprocal_rank_fusion

K = 10


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(samples_ms)
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 3),
        "p95_ms": round(float(np.percentile(arr, 95)), 3),
        "p99_ms": round(float(np.percentile(arr, 99)), 3),
        "n": len(arr),
    }


def timed(fn: Callable[[Any], Any], inputs: Sequence[Any]) -> tuple[list[Any], list[float]]:
    fn(inputs[0])  # warm-up outside the samples
    out, ms = [], []
    for x in inputs:
        t0 = time.perf_counter()
        out.append(fn(x))
        ms.append((time.perf_counter() - t0) * 1000)
    return out, ms


def side_by_side(fns: dict[str, Callable[[Any], Any]], inputs: Sequence[Any]) -> dict[str, list[float]]:
    """Milliseconds of each of `fns` on each input, the fns taking turns on every input (the order rotating),
    so a change in the machine's load between them falls on all alike."""
    names = list(fns)
    for fn in fns.values():
        fn(inputs[0])  # warm-up outside the samples
    ms: dict[str, list[float]] = {name: [] for name in names}
    for j, x in enumerate(inputs):
        for name in names[j % len(names) :] + names[: j % len(names)]:
            t0 = time.perf_counter()
            fns[name](x)
            ms[name].append((time.perf_counter() - t0) * 1000)
    return ms


def synthetic_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def notes_like_vectors(n: int, sample: np.ndarray, seed: int) -> np.ndarray:
    """n normalized vectors from a Gaussian with the mean and covariance of `sample` (real passage vectors).
    Real embeddings spread over few directions, which is what graph search relies on; isotropic random
    vectors spread over all 384 and are the worst case for it."""
    rng = np.random.default_rng(seed)
    mean = sample.mean(0)
    spread = (sample - mean) / np.sqrt(max(1, len(sample) - 1))  # spread.T @ spread is the sample covariance
    x = (mean + rng.standard_normal((n, len(sample)), dtype=np.float32) @ spread).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def corpus_texts(passages: Sequence[str], n: int) -> list[str]:
    """n real passages: the notes' passages cycled, each copy tagged so documents stay distinct."""
    return [f"{passages[i % len(passages)]} copy{i // len(passages)}" for i in range(n)]


SERVICE_GRAPH = (faiss_index.HNSW_M, faiss_index.HNSW_EF_CONSTRUCTION)  # (M, efConstruction) as ingest builds it
HNSW_GRID = (SERVICE_GRAPH,)
EF_SEARCH = (64, 128)


def hnsw_index(base: np.ndarray, m: int, ef_construction: int) -> tuple[faiss.Index, dict[str, float]]:
    """An HNSW graph over `base` and what building it cost (wall and CPU seconds, load average). The service's
    graph is built by ingest's own `build_dense_index` (an IndexIDMap over it, searched as the service does)."""
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    if (m, ef_construction) == SERVICE_GRAPH:
        index = faiss_index.build_dense_index(base, hnsw_threshold=0)
    else:
        index = faiss.IndexHNSWFlat(base.shape[1], m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_construction
        index.add(base)
    cost = {"build_s": round(time.perf_counter() - t0, 1), "build_cpu_s": round(time.process_time() - c0, 1)}
    return index, {**cost, "build_load": round(load, 2)}


def graph_of(index: faiss.Index) -> faiss.Index:
    """The HNSW graph itself (inside the service's IndexIDMap, whose ids are the rows)."""
    return faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap) else index


def bench_dense(
    base: np.ndarray,
    queries: np.ndarray,
    hnsw: bool,
    grid: Sequence[tuple[int, int]] = HNSW_GRID,
    ef_search: Sequence[int] = EF_SEARCH,
) -> tuple[dict[str, Any], dict[tuple[int, int], faiss.Index]]:
    """Exact flat search over `base`, then HNSW at each (M, efConstruction) of `grid` and each efSearch:
    latency and recall@10 against the exact top 10. Returns the report and the graphs (the hybrid reuses one)."""
    out: dict[str, Any] = {}
    flat = faiss.IndexFlatIP(base.shape[1])
    flat.add(base)
    exact, ms = timed(lambda q: flat.search(q[None, :], K)[1][0], list(queries))
    out["faiss_flat"] = percentiles(ms)
    graphs: dict[tuple[int, int], faiss.Index] = {}
    for m, ef_construction in grid if hnsw else ():
        index, cost = hnsw_index(base, m, ef_construction)
        graphs[(m, ef_construction)] = index
        graph = graph_of(index)
        for ef in ef_search:
            graph.hnsw.efSearch = ef
            got, ms = timed(lambda q, graph=graph: graph.search(q[None, :], K)[1][0], list(queries))
            recall = statistics.mean(len(set(a) & set(b)) / K for a, b in zip(got, exact, strict=True))
            out[f"faiss_hnsw_M{m}_efc{ef_construction}_ef{ef}"] = {
                **percentiles(ms),
                "recall_at_10": round(recall, 4),
                **cost,
            }
    return out, graphs


def bench_bm25(texts: list[str], queries: Sequence[str], engines: Sequence[str]) -> dict:
    out: dict[str, Any] = {}
    tokens = [tokenize(t) for t in texts]
    if "rank_bm25" in engines:
        from rank_bm25 import BM25Okapi

        t0 = time.perf_counter()
        okapi = BM25Okapi(tokens)
        build = time.perf_counter() - t0
        _, ms = timed(lambda q: np.argsort(-okapi.get_scores(tokenize(q)))[:K], list(queries))
        out["rank_bm25"] = {**percentiles(ms), "build_s": round(build, 1)}
    if "bm25s" in engines:
        out["bm25s"] = bm25s_engine(tokens, queries)[1]
    if "notecite" in engines:
        out["notecite_postings"] = service_bm25(texts, queries)[1]
    return out


def service_bm25(texts: list[str], queries: Sequence[str]) -> tuple[Callable[[str], list[int]], dict]:
    """The embedded store's own BM25 (ingest.bm25.BM25Index: rank-bm25's scores read from postings)."""
    from ingest.bm25 import BM25Index

    t0 = time.perf_counter()
    index = BM25Index([str(i) for i in range(len(texts))], texts)
    build = time.perf_counter() - t0

    def search(q: str, k: int = K) -> list[int]:
        return [int(i) for i, _ in index.search(q, k)]

    _, ms = timed(search, list(queries))
    return search, {**percentiles(ms), "build_s": round(build, 1)}


def bm25s_engine(tokens: list[list[str]], queries: Sequence[str]) -> tuple[Callable[[str], list[int]], dict]:
    """bm25s over our own tokens (same tokenizer as the service's BM25): a sparse matrix, scored with numpy."""
    import bm25s

    t0 = time.perf_counter()
    retriever = bm25s.BM25()
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in tokens]
    retriever.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
    build = time.perf_counter() - t0

    def search(q: str) -> list[int]:
        terms = [t for t in tokenize(q) if t in vocab]
        if not terms:
            return []
        scores = retriever.get_scores(terms)
        top = np.argpartition(-scores, K)[:K] if len(scores) > K else np.arange(len(scores))
        return top[np.argsort(-scores[top])].tolist()

    _, ms = timed(search, list(queries))
    return search, {**percentiles(ms), "build_s": round(build, 1)}


def bench_milvus(uri: str, dim: int, texts: list[str], vec_queries: np.ndarray, queries: Sequence[str]) -> dict:
    """Our Milvus leaf store itself (ingest/milvus_store.py) on Milvus Lite: the same vectors as bench_dense
    (seed n), exact FLAT, and its BM25 Function over the same texts as bench_bm25."""
    from core.settings import StoreSettings
    from ingest.milvus_store import MilvusStore

    n = len(texts)
    base = synthetic_vectors(n, dim, seed=n)
    flat = faiss.IndexFlatIP(dim)
    flat.add(base)
    exact = [flat.search(q[None, :], K)[1][0] for q in vec_queries]
    store = MilvusStore.connect(uri, StoreSettings(backend="milvus", collection_prefix="bench"))
    with tempfile.TemporaryDirectory() as tmp:
        gen = Path(tmp) / f"n{n}"
        gen.mkdir()
        ids = [str(i) for i in range(n)]
        t0 = time.perf_counter()
        meta = store.write(gen, ids, texts, base, hnsw_threshold=n + 1)
        insert_s = time.perf_counter() - t0
        leaves = store.open(gen, {**meta, "dim": dim, "leaves": n})
        got, dense_ms = timed(lambda q: [int(i) for i, _ in leaves.dense_search(q, K)], list(vec_queries))
        _, bm25_ms = timed(lambda q: leaves.bm25_search(q, K), list(queries))
        store.drop(gen.name)
    recall = statistics.mean(len(set(a) & set(b)) / K for a, b in zip(got, exact, strict=True))
    return {
        "dense": {**percentiles(dense_ms), "recall_at_10": round(recall, 4), "insert_s": round(insert_s, 1)},
        "bm25": percentiles(bm25_ms),
    }


def embedding_cpu_ms(embed: Callable[[list[str]], np.ndarray], queries: Sequence[str]) -> dict[str, float]:
    """Median wall and CPU milliseconds (the process's, all threads) to embed one query: on a shared machine the
    wall time is the CPU time stretched by the other processes, the CPU time is what a quiet machine pays."""
    return wall_and_cpu_ms(lambda q: embed([q]), queries)


def wall_and_cpu_ms(run: Callable[[str], Any], queries: Sequence[str]) -> dict[str, float]:
    """Median wall and CPU milliseconds of `run` on each query (see embedding_cpu_ms)."""
    run(queries[0])
    wall, cpu = [], []
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        run(q)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {"p50_ms": round(statistics.median(wall), 3), "cpu_p50_ms": round(statistics.median(cpu), 3)}


def bench_hybrid(
    texts: list[str],
    queries: Sequence[str],
    embed: Callable[[list[str]], np.ndarray],
    graph: faiss.Index | None = None,
    candidate_k: int = 40,
    baseline_embed: Callable[[list[str]], np.ndarray] | None = None,
    before_embed: Callable[[list[str]], np.ndarray] | None = None,
    windows: SentenceIndex | None = None,
    params: RetrievalSettings | None = None,
) -> dict:
    """What one service query costs at this size: embed the query, dense top-`candidate_k` + the service's
    BM25 top-`candidate_k` (`service_bm25`), fuse by RRF. Dense is what the service builds at this size
    and searched as it searches it (ingest/faiss_index.py): exact below its HNSW threshold, else `graph`
    (the service's HNSW over the same vectors, from `hnsw_index`). `before_embed`: the query path before
    (the torch path), timed the same way right after ours. `windows` (eval.window_bench): the sentence-window
    ranking of the dense and BM25 candidates fused in as well, as the service does by default
    ("hybrid_windows", timed in turn with "hybrid" on every query)."""
    from ingest.store import DEFAULT_HNSW_THRESHOLD

    dim = embed(["warm up"]).shape[1]
    if graph is not None and len(texts) >= DEFAULT_HNSW_THRESHOLD:
        dense_index, engine = graph, "hnsw"
    else:
        flat = synthetic_vectors(len(texts), dim, seed=len(texts) + 1)
        dense_index, engine = faiss_index.build_dense_index(flat, hnsw_threshold=len(texts) + 1), "flat"
    search_bm25, _ = service_bm25(texts, queries)

    vectors = {q: embed([q]) for q in queries}

    p = params or RetrievalSettings()
    weights = [p.dense_weight, p.bm25_weight, p.sentence_weight]

    def candidates(q: str, vec: np.ndarray) -> list[list[int]]:
        return [[row for row, _ in faiss_index.search(dense_index, vec, candidate_k)], search_bm25(q, candidate_k)]

    def window_ranking(vec: np.ndarray, rankings: list[list[int]]) -> list[int]:
        """The service's window ranking (Retriever.sentence_ranking): the candidates by their best window."""
        assert windows is not None
        return [int(i) for i, _ in windows.best([str(i) for r in rankings for i in r], vec[0])][:candidate_k]

    def fused(q: str, vec: np.ndarray, with_windows: bool = False) -> list:
        """The service's hybrid ranking, with the window ranking when `with_windows`."""
        rankings = candidates(q, vec)
        if with_windows and windows is not None:
            rankings.append(window_ranking(vec, rankings))
        return reciprocal_rank_fusion(rankings, k=p.rrf_k, weights=weights[: len(rankings)])[:K]

    variants: dict[str, Callable[[str], Any]] = {"hybrid": lambda q: fused(q, embed([q]))}
    if windows is not None:
        variants["hybrid_windows"] = lambda q: fused(q, embed([q]), True)
    load = os.getloadavg()[0]
    rows = side_by_side(variants, list(queries))
    total = rows["hybrid"]
    before: dict[str, Any] = {}
    if before_embed is not None:
        _, before_total = timed(lambda q: fused(q, before_embed([q])), list(queries))
        before["hybrid_before"] = percentiles(before_total)
        before["hybrid_before_over_after_p50"] = round(statistics.median(before_total) / statistics.median(total), 3)
    _, search_only = timed(lambda q: fused(q, vectors[q]), list(queries))
    _, embed_ms = timed(lambda q: embed([q]), list(queries))
    if before_embed is not None:
        before["query_embedding_before"] = percentiles(timed(lambda q: before_embed([q]), list(queries))[1])
    share = statistics.median(embed_ms) / statistics.median(total)
    with_windows: dict[str, Any] = {name: percentiles(ms) for name, ms in rows.items() if name != "hybrid"}
    if windows is not None:
        with_windows["hybrid_windows_search_only"] = percentiles(
            timed(lambda q: fused(q, vectors[q], True), list(queries))[1]
        )
        found = {q: candidates(q, vectors[q]) for q in queries}
        window_ms = timed(lambda q: window_ranking(vectors[q], found[q]), list(queries))[1]
        with_windows["window_search"] = percentiles(window_ms)
        with_windows["window_share_p50"] = round(
            statistics.median(window_ms) / statistics.median(rows["hybrid_windows"]), 3
        )
        with_windows["hybrid_windows_over_hybrid_p50"] = round(
            statistics.median(rows["hybrid_windows"]) / statistics.median(total), 3
        )
        with_windows["hybrid_windows_cpu"] = wall_and_cpu_ms(lambda q: fused(q, embed([q]), True), queries)
    out = {
        "hybrid": {**percentiles(total), "dense": engine},
        **with_windows,
        "hybrid_search_only": percentiles(search_only),
        "query_embedding": percentiles(embed_ms),
        "embedding_share_p50": round(share, 3),
        "query_embedding_cpu": embedding_cpu_ms(embed, queries),
        "hybrid_cpu": wall_and_cpu_ms(lambda q: fused(q, embed([q])), queries),
        "hybrid_search_only_cpu": wall_and_cpu_ms(lambda q: fused(q, vectors[q]), queries),
        **before,
    }
    if baseline_embed is not None:  # SentenceTransformer.encode on one query, right after ours
        out["query_embedding_encode_cpu"] = embedding_cpu_ms(baseline_embed, queries)
    return {**out, "load_avg": [round(load, 2), round(os.getloadavg()[0], 2)]}
