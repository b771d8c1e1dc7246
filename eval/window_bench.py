"""The sentence windows at scale, as the service writes and scores them (ingest.sentence_vectors).

Windows are cut by ingest's own `embed_windows` from real passages (a corpus's passages cycled to the size,
each copy its own passage id), so the number of windows per passage is what that corpus gives; only their
vectors are synthetic: a Gaussian fitted to real window vectors of the seed notes (`SyntheticEmbedder`),
normalized, like the bench's passage vectors. They are written by `write_sentences` and scored through
`SentenceIndex.best` over the hybrid's candidates, the ranking the service fuses.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from eval.ingest_bench import passage_nodes
from eval.scale_bench import notes_like_vectors
from ingest.pipeline import embedding_text
from ingest.sentence_vectors import META, VECTORS, SentenceIndex, embed_windows, write_sentences


class SyntheticEmbedder:
    """Stands in for the embedder inside `embed_windows`: notes-like vectors for the real window texts."""

    name = "synthetic-notes-like"

    def __init__(self, sample: np.ndarray) -> None:
        self.sample, self.dim, self.calls = sample, sample.shape[1], 0

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        self.calls += 1
        return notes_like_vectors(len(texts), self.sample, seed=10_000 + self.calls)


def note_passages(passages: Sequence[Any]) -> list[Any]:
    """The passages ingest cuts windows from (notes; code symbols have none)."""
    return [p for p in passages if p.metadata.get("kind", "note") == "note"]


def window_sample(passages: Sequence[Any], embedder: Any, window: int) -> np.ndarray:
    """Real window vectors (the seed notes' windows, embedded as ingest embeds them): what the synthetic ones
    are drawn like."""
    own = embedder.embed([embedding_text(p) for p in passages])
    return embed_windows(passages, own, embedder, window)[1]


def cycled_passages(passages: Sequence[Any], n: int) -> list[SimpleNamespace]:
    """n passages: `passages` cycled, passage i with id str(i) (the bench's row ids)."""
    return [SimpleNamespace(node_id=str(i), text=p.text, metadata=p.metadata) for i, p in enumerate(cycle(passages, n))]


def cycle(items: Sequence[Any], n: int) -> list[Any]:
    return [items[i % len(items)] for i in range(n)]


LOADED_RSS = """
import sys
from pathlib import Path
from ingest.sentence_vectors import SentenceIndex

def rss():
    return next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmRSS")) / 1024

before = rss()
index = SentenceIndex(Path(sys.argv[1]))
print(rss() - before)
"""


def loaded_rss_mb(gen_dir: Path) -> float:
    """What opening the windows adds to a fresh process's RSS (the vectors are mapped, the owners read; in
    this process freed build memory would hide it)."""
    done = subprocess.run([sys.executable, "-c", LOADED_RSS, str(gen_dir)], capture_output=True, text=True, check=True)
    return round(float(done.stdout.strip()), 1)


def build_windows(
    gen_dir: Path, passages: Sequence[Any], own: np.ndarray, sample: np.ndarray, window: int
) -> tuple[SentenceIndex, dict[str, Any]]:
    """Cut, "embed" and write the windows of `passages` (row i's passage vector `own[i]`) into `gen_dir`, as
    ingest does; the loaded windows and what they cost (write wall/CPU seconds, files on disk, RSS once loaded)."""
    owners, vectors, _ = embed_windows(passages, own, SyntheticEmbedder(sample), window)
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    write_sentences(gen_dir, owners, vectors, window, SyntheticEmbedder.name)
    build = {"build_s": round(time.perf_counter() - t0, 1), "build_cpu_s": round(time.process_time() - c0, 1)}
    del vectors
    index = SentenceIndex(gen_dir)
    disk = {name: round((gen_dir / name).stat().st_size / 2**20, 1) for name in (VECTORS, META)}
    return index, {
        "windows": len(owners),
        "windows_per_passage": round(len(owners) / max(1, len(passages)), 2),
        **build,
        "build_load": round(load, 2),
        "disk_mb": disk,
        "loaded_rss_mb": loaded_rss_mb(gen_dir),
    }


def window_builder(
    notes_dir: Path, corpus: Path, embedder: Any, window: int, sample_passages: int = 0
) -> tuple[Callable[[Path, int], tuple[SentenceIndex, dict[str, Any]]], dict[str, Any]]:
    """A function that writes the windows for n passages of `corpus` into a folder, and what it is made
    from: the vectors are drawn like the seed notes' real window vectors (embedded here once; those of the
    first `sample_passages` passages only, when > 0)."""
    seed = note_passages(passage_nodes(notes_dir))
    sample = window_sample(seed[: sample_passages or None], embedder, window)
    passages = seed if corpus.resolve() == notes_dir.resolve() else note_passages(passage_nodes(corpus))
    about = {
        "window": window,
        "seed_notes": {"passages": len(seed), "sampled_windows": len(sample)},
        "corpus": str(corpus),
        "corpus_passages": len(passages),
    }

    def build(gen_dir: Path, n: int) -> tuple[SentenceIndex, dict[str, Any]]:
        own = notes_like_vectors(n, sample, seed=n + 2)  # a passage without windows is its own window
        return build_windows(gen_dir, cycled_passages(passages, n), own, sample, window)

    return build, about
