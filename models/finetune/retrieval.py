"""The `retrieve(question, k)` callables the data builder draws distractor sources from.

"index" is the service's own hybrid Retriever over an ingested index, so training prompts look like
serving prompts. "notes-bm25" needs no index: BM25 over line-aligned windows of the notes, the same
every run, which keeps the committed adapter reproducible on a fresh checkout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from core.text import words
from models.errors import ModelError
from models.finetune.data import Passage

RETRIEVERS = ("auto", "index", "notes-bm25")


def note_windows(notes_dir: Path, max_words: int = 80) -> list[Passage]:
    """Consecutive lines packed into windows of at most max_words (a long line is its own window)."""
    passages = []
    for path in sorted(p for p in notes_dir.glob("*") if p.is_file() and p.suffix in {".txt", ".md"}):
        text = path.read_text(encoding="utf-8", errors="replace")
        title = text.strip().split("\n", 1)[0][:60].strip()
        start, pos, count = 0, 0, 0
        for line in text.split("\n"):
            n = len(line.split())
            if count and count + n > max_words:
                passages.append(Passage(path.name, start, pos - 1, text[start : pos - 1], [title]))
                start, count = pos, 0
            count += n
            pos += len(line) + 1
        if text[start:].strip():
            passages.append(Passage(path.name, start, len(text), text[start:], [title]))
    return [p for p in passages if p.text.strip()]


def notes_bm25(notes_dir: Path) -> Callable[[str, int], list[Passage]]:
    from rank_bm25 import BM25Okapi

    passages = note_windows(notes_dir)
    if not passages:
        raise ModelError(f"no .txt or .md notes in {notes_dir}: point --notes-dir at your notes")
    bm25 = BM25Okapi([words(p.text) for p in passages])

    def retrieve(question: str, k: int) -> list[Passage]:
        scores = bm25.get_scores(words(question))
        order = sorted(range(len(passages)), key=lambda i: (-scores[i], i))
        return [passages[i] for i in order[:k]]

    return retrieve


def index_retriever(index_dir: Path) -> Callable[[str, int], Sequence[object]]:
    """The service's retriever over an ingested index (note passages only).

    Dense mode: hybrid would also embed every BM25-only candidate to give it a cosine, which costs
    minutes over a few hundred questions and changes nothing about which passages come back first.
    """
    from ingest.store import open_index
    from models.embedder import load_embedder
    from retrieval.retriever import Retriever

    reader = open_index(index_dir)
    retriever = Retriever(reader, load_embedder(reader.embedder_name))

    def retrieve(question: str, k: int) -> Sequence[object]:
        return retriever.retrieve(question, mode="dense", k=k, kind="note")

    return retrieve


def make_retriever(name: str, notes_dir: Path, index_dir: Path | None) -> tuple[str, Callable]:
    """(the retriever actually used, its callable); "auto" takes the index when one opens."""
    if name not in RETRIEVERS:
        raise ModelError(f"unknown retriever {name!r}; choose one of {RETRIEVERS}")
    if name in ("auto", "index") and index_dir is not None:
        try:
            return "index", index_retriever(index_dir)
        except Exception as exc:  # IndexNotFound, or the index/service code not present yet
            if name == "index":
                raise ModelError(f"cannot open the index at {index_dir} ({exc}): run `notecite ingest` first") from exc
    return "notes-bm25", notes_bm25(notes_dir)
