"""`notecite bench ingest`: passages/s and MB/s of a cold ingest, its time split, and our embedding path
against plain SentenceTransformer.encode on the same texts (same process, same machine).

The split follows ingest's stages: parse (load + structure inference), chunk (passages), embed, index
(FAISS, BM25, docstore, fsync). The embedding comparison checks cosine >= 0.999 between the two paths.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import SkippedFile
from ingest.loaders import load_file
from ingest.passages import PassageParams, section_nodes
from ingest.pipeline import CorpusRoot, discover, embedding_text
from ingest.store import GenerationData, write_generation
from ingest.structure import infer_structure


def passage_texts(root: Path) -> list[str]:
    """The text ingest would embed for each passage under `root` (no embedding)."""
    texts = []
    for path, doc in discover(CorpusRoot(root)):
        try:
            loaded = load_file(path, doc, max_file_bytes=5_000_000)
        except SkippedFile:
            continue
        nodes = section_nodes(loaded.source, infer_structure(loaded).sections, PassageParams())
        texts += [embedding_text(n) for n in nodes if n.metadata["level"] == "passage"]
    return texts


def stages(root: Path, embedder: Any, max_files: int | None = None) -> dict[str, Any]:
    """A cold ingest of `root`, stage by stage (the pipeline's own functions, timed one at a time)."""
    files = list(discover(CorpusRoot(root)))[:max_files]
    t = {"parse": 0.0, "chunk": 0.0, "embed": 0.0, "index": 0.0}
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
    vectors = embedder.embed(texts) if texts else np.zeros((0, embedder.dim), np.float32)
    t["embed"] = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        data = GenerationData(nodes, [n.node_id for n in leaves], texts, vectors, documents, embedder.name)
        write_generation(Path(tmp), data)
        t["index"] = time.perf_counter() - t0
    total = sum(t.values())
    return {
        "files": len(files),
        "mb": round(nbytes / 1e6, 2),
        "passages": len(leaves),
        "seconds": {k: round(v, 2) for k, v in t.items()},
        "total_s": round(total, 2),
        "passages_per_s": round(len(leaves) / total, 1) if total else None,
        "mb_per_s": round(nbytes / 1e6 / total, 3) if total else None,
        "texts": texts,
    }


def embedding_paths(embedder: Any, texts: list[str], limit: int = 512) -> dict[str, Any]:
    """Ours (models.embedder) vs SentenceTransformer.encode as shipped, on the same texts."""
    texts = texts[:limit]
    model = getattr(embedder, "_model", None)  # the SentenceTransformer inside models.embedder.Embedder
    out: dict[str, Any] = {"texts": len(texts)}
    t0 = time.perf_counter()
    ours = embedder.embed(texts)
    out["ours_per_s"] = round(len(texts) / (time.perf_counter() - t0), 1)
    if model is not None:
        t0 = time.perf_counter()
        plain = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        out["sentence_transformers_encode_per_s"] = round(len(texts) / (time.perf_counter() - t0), 1)
        cos = np.sum(ours * plain, axis=1)
        out["cosine_min"] = round(float(cos.min()), 6)
        out["equivalent"] = bool(cos.min() >= 0.999)
    return out
