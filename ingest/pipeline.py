"""Ingest corpus roots into a new index generation, embedding only what changed.

Node ids hash (doc, sha256, level, span), so an unchanged file yields the ids it had last time and
its vectors are taken from the previous generation; a changed file gets new ids and only its leaves
are embedded; a file that is gone simply has no nodes in the new generation. An unchanged file is not even
parsed again: its bytes' sha256 finds its passages in the previous generation (`ingest.reuse.ParsedFiles`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Protocol, TypedDict

import numpy as np
from llama_index.core.schema import TextNode

from core.settings import RetrievalSettings, Settings, StoreSettings
from ingest.bm25 import TOKEN_PROBE, tokenize
from ingest.corpus_files import CorpusRoot, discover, read_files
from ingest.corpus_files import walk as walk  # service.watch watches what an ingest walks
from ingest.embedding import EMBED_BATCH as EMBED_BATCH  # eval.ingest_bench batches as ingest does
from ingest.embedding import Embeds, embed_distinct
from ingest.errors import NotesDirError
from ingest.leaf_store import leaf_store
from ingest.passages import PassageParams
from ingest.reuse import ParsedFiles, content_key, parser_digest, previous_index, same_content, write_parsed
from ingest.schema import DocumentRecord
from ingest.sentence_vectors import embed_windows, write_sentences
from ingest.store import (
    DEFAULT_HNSW_THRESHOLD,
    GenerationData,
    IndexReader,
    collect_garbage,
    ingest_lock,
    publish,
    write_generation,
)

UPLOAD_PREFIX = "uploads/"
CODE_PREFIX = "reference/"
log = logging.getLogger("notecite")


class EmbedderTuner(Protocol):
    """Optional: tunes the embedder on the passages being indexed (models.tuned_embedder.IngestTuner)."""

    def reuse(self, gen_dir: Path, embedder_name: str, new_share: float, base: Embeds) -> Embeds | None:
        """The previous generation's tuned embedder, to embed this one with (None: the packaged one)."""
        ...

    def finish(
        self, leaves: Sequence[TextNode], texts: Sequence[str], vectors: np.ndarray, embedder: Embeds
    ) -> tuple[Embeds, np.ndarray, Callable[[Path], None] | None]:
        """(embedder, vectors, writer of its model into the new generation's dir) after embedding."""
        ...


# progress(stage, done, total): stage is "files", "embed" (passages) or "windows" (their sentence windows); the
# embedding stages count distinct texts to embed
Progress = Callable[[str, int, int], None]


def corpus_roots(settings: Settings) -> list[CorpusRoot]:
    """The notes dir, the uploads dir and the reference code: everything one index holds.

    Uploads always travel with the notes: an ingest that left them out would drop them from the index.
    """
    roots = [CorpusRoot(settings.notes_dir), CorpusRoot(settings.uploads, prefix=UPLOAD_PREFIX, optional=True)]
    if settings.code_dir is not None:
        roots.append(CorpusRoot(settings.code_dir, prefix=CODE_PREFIX, kind="code", optional=True))
    return roots


class IngestOptions(TypedDict):
    """What `ingest_corpus` takes from the settings: read here once, so every caller ingests alike."""

    max_file_bytes: int
    max_passages_per_file: int
    sentence_window: int


def ingest_options(settings: Settings) -> IngestOptions:
    return IngestOptions(
        max_file_bytes=settings.limits.max_file_bytes,
        max_passages_per_file=settings.limits.max_passages_per_file,
        sentence_window=settings.retrieval.sentence_window,
    )


@dataclass
class IngestReport:
    files: int = 0
    parsed: int = 0  # files read and cut into passages now (an unchanged file keeps its passages, or its skip)
    sections: int = 0
    passages: int = 0
    embedded: int = 0  # distinct passage texts embedded now (the rest came from the previous generation or a twin)
    removed: int = 0
    sentence_windows: int = 0  # sentence-window vectors of the generation (ingest.sentence_vectors)
    sentences_embedded: int = 0  # distinct window texts embedded now (the rest: previous generation, a passage)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    generation: str = ""
    embedder: str = ""  # the model that embedded this generation (a tuned one: models.tuned_embedder)
    # (doc, passages) of the files with the most passages to embed now, most first: where the embedding time goes
    largest_files: list[tuple[str, int]] = field(default_factory=list)

    def summary(self) -> str:
        most = ""
        if self.largest_files:
            doc, passages = self.largest_files[0]
            most = f"; most passages: {doc} ({passages:,})"
        return (
            f"{self.files} files, {self.sections} sections, {self.passages} passages ({self.embedded} embedded), "
            f"{self.removed} removed, {len(self.skipped)} skipped in {self.seconds:.1f} s{most}"
        )


def embedding_text(node: TextNode) -> str:
    """The passage with its section path in front: a later passage of a section keeps its topic."""
    crumbs = node.metadata["breadcrumbs"][1:]
    if not crumbs or node.text.startswith(crumbs[-1]):
        return node.text
    return " > ".join(crumbs) + "\n" + node.text


def _all(writers: Sequence[Callable[[Path], None]]) -> Callable[[Path], None]:
    """One writer of extra generation files that runs several (a tuned model, the sentence vectors, ...)."""

    def write(gen_dir: Path) -> None:
        for writer in writers:
            writer(gen_dir)

    return write


def inputs_digest(nodes: Sequence[TextNode], documents: Sequence[tuple[DocumentRecord, str]], *settings: object) -> str:
    """One digest of what a generation is built from: its nodes (ids, texts, metadata: a new chunking rule
    changes them), its documents' contents, and the `settings` that shape it (embedder, window, store, roots)."""
    digest = hashlib.sha256(json.dumps([str(x) for x in settings]).encode())
    for record, _ in documents:
        digest.update(f"{record.doc}\0{record.sha256}\0{record.kind}\0".encode())
    for node in nodes:
        digest.update(node.node_id.encode() + b"\0" + node.text.encode() + b"\0")
        digest.update(json.dumps(node.metadata, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def ingest_corpus(
    roots: Sequence[CorpusRoot],
    index_dir: Path,
    embedder: Embeds,
    *,
    max_file_bytes: int = 5_000_000,
    max_passages_per_file: int = 0,
    progress: Progress | None = None,
    hnsw_threshold: int = DEFAULT_HNSW_THRESHOLD,
    params: PassageParams | None = None,
    store: StoreSettings | None = None,
    tuner: EmbedderTuner | None = None,
    sentence_window: int | None = None,
) -> IngestReport:
    """Index every file under `roots` into a new generation of `index_dir` and make it live.

    Raises NotesDirError when a required root is missing. Files that cannot be indexed are
    reported in `skipped`, and so is a file of more than `max_passages_per_file` passages (0: no limit).
    Any exception before the switch leaves the previous generation live.
    `store` picks where passages are searched (embedded FAISS + BM25 by default, or Milvus).
    `tuner` may swap the embedder for one tuned on these passages, stored with the generation.
    `sentence_window` > 0 also embeds each passage's sentences, that many at a time (None: the settings'
    default). Callers holding Settings pass `**ingest_options(settings)`.
    """
    began = time.perf_counter()
    params = params or PassageParams()
    window = RetrievalSettings().sentence_window if sentence_window is None else sentence_window
    for root in roots:
        if not root.path.is_dir() and not root.optional:
            raise NotesDirError(f"notes folder not found: {root.path} (pass an existing directory)")
    index_dir = Path(index_dir)
    report = IngestReport()
    recorded_roots = [{"path": str(r.path.resolve()), "prefix": r.prefix, "kind": r.kind} for r in roots]
    parser = parser_digest(params)
    with ingest_lock(index_dir):
        previous = previous_index(index_dir, store)
        try:
            files = [(p, d, r) for r in roots if r.path.is_dir() for p, d in discover(r)]
            read = read_files(
                files,
                ParsedFiles(previous, parser, embedder.name if tuner is None else ""),  # a tuner may embed all anew
                max_file_bytes,
                max_passages_per_file,
                params,
                partial(progress, "files") if progress else None,
            )
            report.skipped, report.parsed = read.skipped, read.parsed
            return _index(
                _Corpus(read.documents, read.nodes, recorded_roots, parser, read.too_many),
                index_dir,
                embedder,
                previous,
                report,
                began,
                progress=progress,
                hnsw_threshold=hnsw_threshold,
                store=store,
                tuner=tuner,
                window=window,
            )
        finally:
            if previous is not None:
                previous.close()


@dataclass(frozen=True)
class _Corpus:
    """What the files of one ingest gave: documents (record, text) and their nodes, sections and passages."""

    documents: list[tuple[DocumentRecord, str]]
    nodes: list[TextNode]
    roots: list[dict[str, str]]  # as meta.json records them
    parser: str  # ingest.reuse.parser_digest they were cut under
    too_many: dict[str, tuple[str, int]]  # doc -> (sha256, passages) of the files skipped for their passage count


def _index(
    corpus: _Corpus,
    index_dir: Path,
    embedder: Embeds,
    previous: IndexReader | None,
    report: IngestReport,
    began: float,
    *,
    progress: Progress | None,
    hnsw_threshold: int,
    store: StoreSettings | None,
    tuner: EmbedderTuner | None,
    window: int,
) -> IngestReport:
    """Embed what the previous generation lacks, write the new generation and make it live (under the lock)."""
    documents, nodes, recorded_roots = corpus.documents, corpus.nodes, corpus.roots
    leaves = [n for n in nodes if n.metadata["level"] == "passage"]
    report.files, report.passages = len(documents), len(leaves)
    report.sections = sum(1 for n in nodes if n.metadata["level"] == "section")
    tokens = tokenize(TOKEN_PROBE)  # the token rules BM25 is built under
    inputs = inputs_digest(
        nodes,
        documents,
        embedder.name,
        window,
        hnsw_threshold,
        store,
        recorded_roots,
        tokens,
        corpus.parser,
        sorted(corpus.too_many.items()),  # a newly skipped file is remembered (a generation is written once)
    )
    if previous is not None and tuner is None and previous.inputs == inputs:
        # nothing changed: the live generation is what this ingest would write (an `ask` or a server start
        # on an unchanged folder copies nothing)
        report.generation, report.embedder = previous.generation, embedder.name
        report.sentence_windows = len(previous.sentences) if previous.sentences is not None else 0
        previous.close()
        collect_garbage(index_dir, store=leaf_store(store, index_dir))  # a killed ingest's debris goes all the same
        report.seconds = time.perf_counter() - began
        return report
    if tuner is not None and previous is not None:
        known = set(previous.leaf_ids)
        new_share = sum(1 for n in leaves if n.node_id not in known) / max(1, len(leaves))
        embedder = tuner.reuse(previous.path, previous.embedder_name, new_share, embedder) or embedder
    old_vectors = previous.vectors() if previous and previous.embedder_name == embedder.name else {}
    old_records = {d.doc: d for d in previous.documents()} if previous else {}
    old_windows = previous.sentences if previous and window else None
    old_windows_by_leaf = old_windows.by_leaf() if old_windows and old_windows.window == window else {}
    old_windows_embedder = old_windows.embedder if old_windows else ""
    for new_id, old_id in (same_content(previous, leaves) if previous and old_vectors else {}).items():
        old_vectors[new_id] = old_vectors[old_id]
        if old_id in old_windows_by_leaf:
            old_windows_by_leaf[new_id] = old_windows_by_leaf[old_id]
    _share_windows(leaves, old_windows_by_leaf)
    old_docs = set(old_records)
    # an unchanged file keeps the time it was first indexed: /api/documents reports when it changed
    documents = [
        (
            replace(rec, indexed_at=old.indexed_at)
            if (old := old_records.get(rec.doc)) and old.sha256 == rec.sha256 and old.indexed_at != rec.indexed_at
            else rec,
            text,
        )
        for rec, text in documents
    ]
    if previous:
        previous.close()

    texts = [embedding_text(n) for n in leaves]
    known_rows = {i: old_vectors[n.node_id] for i, n in enumerate(leaves) if n.node_id in old_vectors}
    to_embed = Counter(n.metadata["doc"] for i, n in enumerate(leaves) if i not in known_rows)
    report.largest_files = to_embed.most_common(3)
    if report.largest_files:  # said before the embedding starts: the log tells where a long ingest's time goes
        log.info(
            "ingest: %d passages to embed; the most from %s",
            to_embed.total(),
            ", ".join(f"{doc} ({count:,})" for doc, count in report.largest_files),
        )
    vectors, report.embedded = embed_distinct(
        texts, embedder, known_rows, progress=partial(progress, "embed") if progress else None
    )
    writers: list[Callable[[Path], None]] = [partial(write_parsed, parser=corpus.parser, too_many=corpus.too_many)]
    if tuner is not None:
        embedder, vectors, write_model = tuner.finish(leaves, texts, vectors, embedder)
        if write_model is not None:
            writers.append(write_model)
    if window:
        old = old_windows_by_leaf if old_windows_embedder == embedder.name else {}
        rows = [i for i, n in enumerate(leaves) if n.metadata.get("kind", "note") == "note"]  # measured on notes
        notes = [leaves[i] for i in rows]
        tell = partial(progress, "windows") if progress else None  # most of a first ingest's embedding
        passages = {texts[i]: vectors[i] for i in rows}  # a window that is a whole passage has its vector
        owners, window_vecs, report.sentences_embedded = embed_windows(
            notes, vectors[rows], embedder, window, old, progress=tell, same_text=passages
        )
        report.sentence_windows = len(owners)
        writers.append(
            partial(write_sentences, owners=owners, vectors=window_vecs, window=window, embedder_name=embedder.name)
        )

    leaves_store = leaf_store(store, index_dir)
    gen_id = write_generation(
        index_dir,
        GenerationData(
            nodes=nodes,
            leaf_ids=[n.node_id for n in leaves],
            leaf_texts=texts,
            vectors=vectors,
            documents=documents,
            embedder_name=embedder.name,
            hnsw_threshold=hnsw_threshold,
            write_extra=_all(writers),
            roots=recorded_roots,
            inputs=inputs,
        ),
        leaves_store,
    )
    publish(index_dir, gen_id, leaves_store)
    collect_garbage(index_dir, store=leaves_store)

    current = {record.doc for record, _ in documents}
    report.removed = len(old_docs - current)
    report.seconds = time.perf_counter() - began
    report.generation = gen_id
    report.embedder = embedder.name
    return report


def _share_windows(leaves: Sequence[TextNode], windows: dict[str, np.ndarray]) -> None:
    """A passage with the text and section path of one whose sentence windows are kept (a copy of a note added
    beside it) takes the same windows: they are made from nothing else (`content_key`)."""
    by_content = {content_key(n): windows[n.node_id] for n in leaves if n.node_id in windows}
    for node in leaves:
        if node.node_id not in windows and (same := by_content.get(content_key(node))) is not None:
            windows[node.node_id] = same
