"""Ingest corpus roots into a new index generation, embedding only what changed.

Node ids hash (doc, sha256, level, span), so an unchanged file yields the ids it had last time and
its vectors are taken from the previous generation; a changed file gets new ids and only its leaves
are embedded; a file that is gone simply has no nodes in the new generation.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Protocol, TypedDict

import numpy as np
from llama_index.core.schema import TextNode

from core.settings import RetrievalSettings, Settings, StoreSettings
from ingest.bm25 import TOKEN_PROBE, tokenize
from ingest.code import code_nodes, has_code, is_test_file
from ingest.errors import NotesDirError, SkippedFile
from ingest.leaf_store import leaf_store
from ingest.loaders import CODE_SUFFIXES, SUPPORTED_SUFFIXES, doc_name, load_file
from ingest.passages import PassageParams, section_nodes
from ingest.reuse import previous_index, same_content
from ingest.schema import DocumentRecord, Kind
from ingest.sentence_vectors import embed_windows, write_sentences
from ingest.store import (
    DEFAULT_HNSW_THRESHOLD,
    GenerationData,
    collect_garbage,
    ingest_lock,
    publish,
    write_generation,
)
from ingest.structure import infer_structure

UPLOAD_PREFIX = "uploads/"
CODE_PREFIX = "reference/"
EMBED_BATCH = 64


class Embeds(Protocol):
    """What ingest needs from an embedder (models.embedder.Embedder provides it)."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray: ...


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


# progress(stage, done, total): stage is "files", "embed" (passages) or "windows" (their sentence windows)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CorpusRoot:
    """A folder to index; `prefix` is prepended to each file's relative path to form its doc name."""

    path: Path
    prefix: str = ""
    kind: Kind = "note"
    optional: bool = field(default=False, metadata={"help": "a missing folder is ignored (uploads)"})


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
    sentence_window: int


def ingest_options(settings: Settings) -> IngestOptions:
    return IngestOptions(
        max_file_bytes=settings.limits.max_file_bytes, sentence_window=settings.retrieval.sentence_window
    )


@dataclass
class IngestReport:
    files: int = 0
    sections: int = 0
    passages: int = 0
    embedded: int = 0
    removed: int = 0
    sentence_windows: int = 0  # sentence-window vectors of the generation (ingest.sentence_vectors)
    sentences_embedded: int = 0  # of which embedded now (the rest came from the previous generation)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    generation: str = ""
    embedder: str = ""  # the model that embedded this generation (a tuned one: models.tuned_embedder)

    def summary(self) -> str:
        return (
            f"{self.files} files, {self.sections} sections, {self.passages} passages ({self.embedded} embedded), "
            f"{self.removed} removed, {len(self.skipped)} skipped in {self.seconds:.1f} s"
        )


def walk(folder: Path) -> Iterator[Path]:
    """Every file and folder under `folder`, skipping hidden ones (.git, .obsidian) and __pycache__, not entering
    symlinked folders; a folder that vanishes meanwhile (a sync client, `git checkout`) is passed over, where
    Path.rglob raised FileNotFoundError and failed the whole ingest."""
    for parent, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        yield from (Path(parent, name) for name in dirs + files if not name.startswith("."))


def discover(root: CorpusRoot) -> Iterator[tuple[Path, str]]:
    """(path, doc) of each candidate file under a root, recursively, in a stable order."""
    suffixes = CODE_SUFFIXES if root.kind == "code" else SUPPORTED_SUFFIXES
    for path in sorted(walk(root.path)):
        rel = path.relative_to(root.path)
        linked = root.kind == "note" and path.is_symlink() and not path.is_file()  # _document_nodes says why not
        if not linked and (path.suffix.lower() not in suffixes or not (path.is_file() or path.is_dir())):
            continue
        doc = root.prefix + doc_name(rel.as_posix())
        if root.kind == "code" and is_test_file(rel.as_posix()):
            continue
        yield path, doc


def embedding_text(node: TextNode) -> str:
    """The passage with its section path in front: a later passage of a section keeps its topic."""
    crumbs = node.metadata["breadcrumbs"][1:]
    if not crumbs or node.text.startswith(crumbs[-1]):
        return node.text
    return " > ".join(crumbs) + "\n" + node.text


def _document_nodes(
    path: Path, doc: str, root: CorpusRoot, max_file_bytes: int, params: PassageParams
) -> tuple[DocumentRecord, str, list[TextNode]] | None:
    """Load and chunk one file; None for code files with nothing to cite (skipped silently)."""
    if path.is_symlink() and not path.is_file():  # walk() does not enter linked folders (loops, files twice)
        raise SkippedFile("a linked folder is not followed; copy its notes in" if path.is_dir() else "a broken link")
    if not path.resolve().is_relative_to(root.path.resolve()):  # a symlink must not publish /etc/passwd
        raise SkippedFile("links outside its folder; copy the file in instead")
    loaded = load_file(path, doc, max_file_bytes=max_file_bytes)
    source = loaded.source
    if loaded.fmt == "code":
        if root.kind == "code" and not has_code(source.text):
            return None
        nodes = code_nodes(source, params)
    else:
        nodes = section_nodes(source, infer_structure(loaded).sections, params)
    if not nodes:
        raise SkippedFile("no indexable text")
    n_leaves = sum(1 for n in nodes if n.metadata["level"] == "passage")
    record = DocumentRecord(
        doc,
        source.sha256,
        source.kind,
        n_leaves,
        datetime.now(UTC).isoformat(timespec="seconds"),
        source.warnings,
    )
    return record, source.text, nodes


def _both(first: Callable[[Path], None], second: Callable[[Path], None]) -> Callable[[Path], None]:
    """One writer of extra generation files that runs two (a tuned model, then the sentence vectors)."""

    def write(gen_dir: Path) -> None:
        first(gen_dir)
        second(gen_dir)

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
    progress: Progress | None = None,
    hnsw_threshold: int = DEFAULT_HNSW_THRESHOLD,
    params: PassageParams | None = None,
    store: StoreSettings | None = None,
    tuner: EmbedderTuner | None = None,
    sentence_window: int | None = None,
) -> IngestReport:
    """Index every file under `roots` into a new generation of `index_dir` and make it live.

    Raises NotesDirError when a required root is missing. Files that cannot be indexed are
    reported in `skipped`. Any exception before the switch leaves the previous generation live.
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
    with ingest_lock(index_dir):
        files = [(p, d, r) for r in roots if r.path.is_dir() for p, d in discover(r)]
        documents: list[tuple[DocumentRecord, str]] = []
        nodes: list[TextNode] = []
        seen: dict[str, Path] = {}
        for i, (path, doc, root) in enumerate(files):
            if doc in seen:  # two names that read alike: b"caf\xe9.md" (not UTF-8) and "café.md"
                first, second = (os.fsencode(p).decode("utf-8", "backslashreplace") for p in (seen[doc], path))
                report.skipped.append((doc, f"{second} has the same name as {first}: rename one"))  # JSON-safe
                continue
            seen[doc] = path
            try:
                result = _document_nodes(path, doc, root, max_file_bytes, params)
            except SkippedFile as exc:
                if not (root.kind == "code" and path.name == "__init__.py"):  # an empty package marker
                    report.skipped.append((doc, str(exc)))
                result = None
            if result is not None:
                record, text, doc_nodes = result
                documents.append((record, text))
                nodes.extend(doc_nodes)
            if progress:
                progress("files", i + 1, len(files))

        previous = previous_index(index_dir, store)
        leaves = [n for n in nodes if n.metadata["level"] == "passage"]
        report.files, report.passages = len(documents), len(leaves)
        report.sections = sum(1 for n in nodes if n.metadata["level"] == "section")
        recorded_roots = [{"path": str(r.path.resolve()), "prefix": r.prefix, "kind": r.kind} for r in roots]
        tokens = tokenize(TOKEN_PROBE)  # the token rules BM25 is built under
        inputs = inputs_digest(nodes, documents, embedder.name, window, hnsw_threshold, store, recorded_roots, tokens)
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
        old_docs = set(old_records)
        # an unchanged file keeps the time it was first indexed: /api/documents reports when it changed
        documents = [
            (
                replace(rec, indexed_at=old.indexed_at)
                if (old := old_records.get(rec.doc)) and old.sha256 == rec.sha256
                else rec,
                text,
            )
            for rec, text in documents
        ]
        if previous:
            previous.close()

        texts = [embedding_text(n) for n in leaves]
        # by length: each embed() call then gets texts of like length (less padding); vectors go back by index
        todo = sorted((i for i, n in enumerate(leaves) if n.node_id not in old_vectors), key=lambda i: len(texts[i]))
        vectors = np.zeros((len(leaves), embedder.dim), dtype=np.float32)
        for i, n in enumerate(leaves):
            if n.node_id in old_vectors:
                vectors[i] = old_vectors[n.node_id]
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start : start + EMBED_BATCH]
            vectors[batch] = embedder.embed([texts[i] for i in batch])
            if progress:
                progress("embed", start + len(batch), len(todo))
        write_model = None
        if tuner is not None:
            embedder, vectors, write_model = tuner.finish(leaves, texts, vectors, embedder)
        write_extra = write_model
        if window:
            old = old_windows_by_leaf if old_windows_embedder == embedder.name else {}
            rows = [i for i, n in enumerate(leaves) if n.metadata.get("kind", "note") == "note"]  # measured on notes
            notes = [leaves[i] for i in rows]
            tell = partial(progress, "windows") if progress else None  # most of a first ingest's embedding
            owners, window_vecs, report.sentences_embedded = embed_windows(
                notes, vectors[rows], embedder, window, old, progress=tell
            )
            report.sentence_windows = len(owners)
            sentences = partial(
                write_sentences,
                owners=owners,
                vectors=window_vecs,
                window=window,
                embedder_name=embedder.name,
            )
            write_extra = sentences if write_model is None else _both(write_model, sentences)

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
                write_extra=write_extra,
                roots=recorded_roots,
                inputs=inputs,
            ),
            leaves_store,
        )
        publish(index_dir, gen_id, leaves_store)
        collect_garbage(index_dir, store=leaves_store)

    current = {record.doc for record, _ in documents}
    report.embedded = len(todo)
    report.removed = len(old_docs - current)
    report.seconds = time.perf_counter() - began
    report.generation = gen_id
    report.embedder = embedder.name
    return report
