"""The notes as the service sees them, for building training data: a temporary index and its retriever.

`notes_index` runs ingest itself (the same corpus roots, passages and embedder as `notecite ingest`)
into a temporary directory, so the examples' passages, their context spans and their retrieved
distractors are exactly what the service would retrieve, and `notecite finetune` needs no prepared
index. `note_windows` is the index-free slicing `notecite bench generate` builds its prompts from.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.settings import Settings, get_settings
from models.errors import ModelError
from models.finetune.seeds import Passage, note_passages


@dataclass
class NotesIndex:
    """One temporary index generation over the notes, with the service's retriever over it."""

    reader: Any  # ingest.store.IndexReader
    retriever: Any  # retrieval.retriever.Retriever
    top_k: int
    summary: str

    def passages(self) -> list[Passage]:
        """Every note passage (leaf), with its breadcrumbs and context spans, in document order."""
        return note_passages(self.reader.get_nodes(self.reader.node_ids()))

    def retrieve(self, question: str) -> Sequence[Any]:
        """What AnswerPipeline retrieves for a question with no history: top_k note hits, hybrid + merge."""
        return self.retriever.retrieve(question, k=self.top_k, kind="note")

    def note_texts(self) -> list[str]:
        """The notes' full texts as ingest decoded them (what "the notes mention X" is checked against)."""
        docs = [d.doc for d in self.reader.documents() if d.kind == "note"]
        return [self.reader.source_text(doc) or "" for doc in docs]


@contextmanager
def notes_index(notes_dir: Path, settings: Settings | None = None) -> Iterator[NotesIndex]:
    """Ingest the notes (and the reference code, as the service's index holds it) into a temporary
    index; yields it open and deletes it afterwards. Uploads are left out: they are not the notes."""
    from ingest.errors import NotesDirError
    from ingest.pipeline import corpus_roots, ingest_corpus, ingest_options
    from ingest.store import open_index
    from models.embedder import embedder_for
    from retrieval.retriever import Retriever

    base = settings or get_settings()
    with tempfile.TemporaryDirectory(prefix="notecite-finetune-") as tmp:
        s = base.with_overrides(
            notes_dir=Path(notes_dir), index_dir=Path(tmp) / "index", upload_dir=Path(tmp) / "no-uploads"
        )
        embedder = embedder_for(s)
        try:
            report = ingest_corpus(corpus_roots(s), s.index_dir, embedder, **ingest_options(s))
        except NotesDirError as exc:
            raise ModelError(f"{exc}: point --notes-dir at your notes") from exc
        reader = open_index(s.index_dir)
        try:
            yield NotesIndex(reader, Retriever(reader, embedder, s.retrieval), s.answer.top_k, report.summary())
        finally:
            reader.close()


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
