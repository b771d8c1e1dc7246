"""`notecite bench ingest`: passages/s and MB/s of a cold ingest, its time split, and our embedding path
against plain SentenceTransformer.encode on the same texts (same process, same machine).

The split follows ingest's stages: parse (load + structure inference), chunk (passages), embed (as the
pipeline calls it: ingest.embedding.embed_distinct, each distinct text once through the embedder's ingest
path), windows (the sentence-window vectors, ingest.sentence_vectors, none embedded that a passage holds),
index (FAISS, BM25, docstore, stem counts, the window file, fsync). The embedding comparison runs the
ingest path (bfloat16 where the CPU has it and it is equivalent), the float32 fast path and encode() on the
same texts and checks cosine >= 0.999 against encode() for each.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.schema import TextNode

from ingest.embedding import embed_distinct
from ingest.errors import SkippedFile
from ingest.loaders import load_file
from ingest.passages import PassageParams, section_nodes
from ingest.pipeline import CorpusRoot, discover, embedding_text
from ingest.sentence_vectors import embed_windows, write_sentences
from ingest.store import GenerationData, write_generation
from ingest.structure import infer_structure


def passage_nodes(root: Path, max_files: int | None = None) -> list[TextNode]:
    """The passages (leaf TextNodes) ingest would make under `root` (no embedding)."""
    passages = []
    for path, doc in list(discover(CorpusRoot(root)))[:max_files]:
        try:
            loaded = load_file(path, doc, max_file_bytes=5_000_000)
        except SkippedFile:
            continue
        nodes = section_nodes(loaded.source, infer_structure(loaded).sections, PassageParams())
        passages += [n for n in nodes if n.metadata["level"] == "passage"]
    return passages


def passage_texts(root: Path) -> list[str]:
    """The text ingest would embed for each passage under `root` (no embedding)."""
    return [embedding_text(n) for n in passage_nodes(root)]


def stages(root: Path, embedder: Any, max_files: int | None = None, window: int = 0) -> dict[str, Any]:
    """A cold ingest of `root`, stage by stage (the pipeline's own functions, timed one at a time); `window`
    > 0 also embeds and indexes sentence windows of that size, as ingest does by default."""
    files = list(discover(CorpusRoot(root)))[:max_files]
    t = {"parse": 0.0, "chunk": 0.0, "embed": 0.0, "windows": 0.0, "index": 0.0}
    nbytes, nodes, documents = 0, [], []
    for path, doc in files:
        t0 = time.perf_counter()
        try:
            loaded = load_file(path, doc, max_file_bytes=5_000_000)
        except SkippedFile:
            continue
        structure = infer_structure(loaded)
        t1 = time.perf_counter()
        doc_nodes = section_nodes(loaded.source, structure.sections, PassageParams())
        t["parse"] += t1 - t0
        t["chunk"] += time.perf_counter() - t1
        nbytes += path.stat().st_size
        nodes.extend(doc_nodes)
    leaves = [n for n in nodes if n.metadata["level"] == "passage"]
    texts = [embedding_text(n) for n in leaves]
    t0 = time.perf_counter()
    vectors, embedded = embed_distinct(texts, embedder)
    t["embed"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    owners, window_vectors, windows_embedded = ([], None, 0)
    if window:
        notes = [i for i, n in enumerate(leaves) if n.metadata.get("kind", "note") == "note"]
        passages = {texts[i]: vectors[i] for i in notes}  # as ingest.pipeline: a window that is a passage
        owners, window_vectors, windows_embedded = embed_windows(
            [leaves[i] for i in notes], vectors[notes], embedder, window, same_text=passages
        )
    t["windows"] = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        data = GenerationData(nodes, [n.node_id for n in leaves], texts, vectors, documents, embedder.name)
        write_generation(Path(tmp), data)
        if window_vectors is not None:
            write_sentences(Path(tmp), owners, window_vectors, window, embedder.name)
        t["index"] = time.perf_counter() - t0
    total = sum(t.values())
    return {
        "files": len(files),
        "mb": round(nbytes / 1e6, 2),
        "passages": len(leaves),
        "windows": len(owners),
        "embedded": embedded + windows_embedded,  # distinct texts through the model (passages + windows)
        "seconds": {k: round(v, 2) for k, v in t.items()},
        "total_s": round(total, 2),
        "passages_per_s": round(len(leaves) / total, 1) if total else None,
        "mb_per_s": round(nbytes / 1e6 / total, 3) if total else None,
        "texts": texts,
    }


def embedding_paths(embedder: Any, texts: list[str], limit: int = 512, repeats: int = 3) -> dict[str, Any]:
    """Ours as ingest runs it (`embed_bulk`: bfloat16 where the CPU has it and it is equivalent), our float32
    fast path (`embed`, what a query or an answer uses) and SentenceTransformer.encode as shipped (its default
    threads and batching) on the same texts, alternating `repeats` times in this process (medians: the
    machine's load moves between runs); the cosine of every text's ingest vector to encode()'s."""
    texts = texts[:limit]
    load = os.getloadavg()[0]
    paths = {"ours": embedder.embed_bulk, "fp32": embedder.embed, "encode": embedder.encode}
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in paths}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(repeats):
        for name, fn in paths.items():
            t0, c0 = time.perf_counter(), time.process_time()
            vectors[name] = fn(texts)
            runs[name].append((time.perf_counter() - t0, time.process_time() - c0))
    wall = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in runs.items()}
    cos = np.sum(vectors["ours"] * vectors["encode"], axis=1)
    return {
        "texts": len(texts),
        "path": embedder.bulk_path,
        "ours_per_s": round(len(texts) / wall["ours"], 1),
        "fp32_per_s": round(len(texts) / wall["fp32"], 1),
        "sentence_transformers_encode_per_s": round(len(texts) / wall["encode"], 1),
        "speedup": round(wall["encode"] / wall["ours"], 2),
        "cpu_s_ours": round(cpu["ours"], 1),
        "cpu_s_fp32": round(cpu["fp32"], 1),
        "cpu_s_encode": round(cpu["encode"], 1),
        "cosine_min": round(float(cos.min()), 6),
        "equivalent": bool(cos.min() >= 0.999),
        "load_avg": [round(load, 2), round(os.getloadavg()[0], 2)],
        "repeats": repeats,
    }
