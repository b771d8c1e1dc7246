"""What an incremental ingest takes from the generation it replaces: the index itself, the passages of each file
whose bytes are unchanged (so it is not read into structure and chunked again), and which of its passages have
the text of a new one (so their vectors and sentence windows are kept, not embedded again)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from llama_index.core.schema import TextNode

import core
import ingest
from core.settings import StoreSettings
from ingest.errors import IndexNotFound
from ingest.passages import PassageParams
from ingest.rules_digest import source_digest
from ingest.schema import DocumentRecord
from ingest.store import IndexReader, open_index

log = logging.getLogger("notecite")

# in each generation: {"parser": parser_digest(...) it was cut under, "too_many": {doc: [sha256, passages]} of
# the files skipped for their passage count, so an unchanged one is skipped again without being parsed}
PARSED_FILE = "parsed.json"
# what decodes PDF and HTML text, cuts CJK and Thai words (regex's Unicode tables) and splits sentences
PARSER_LIBRARIES = ("pypdf", "beautifulsoup4", "lxml", "regex", "llama-index-core")


def previous_index(index_dir: Path, store: StoreSettings | None) -> IndexReader | None:
    """The live generation, or None: none yet, or one that cannot be read (then everything is embedded anew,
    and the log says why; the ingest that follows replaces it)."""
    try:
        return open_index(index_dir, store)
    except IndexNotFound:  # the first ingest
        return None
    except Exception as exc:  # noqa: BLE001 - an unreadable old generation only means nothing to reuse
        log.warning("the previous index in %s cannot be read (%s); every passage is embedded again", index_dir, exc)
        return None


def content_key(node: TextNode) -> tuple[str, tuple[str, ...]]:
    """What a passage's vector and sentence windows are made from: its text and section path (not its doc)."""
    return node.text, tuple(node.metadata["breadcrumbs"][1:])


def same_content(previous: IndexReader, leaves: Sequence[TextNode]) -> dict[str, str]:
    """New leaf id -> a leaf of `previous` that is gone now but had the same text and section path. Ids hash the
    doc and its sha256, so a renamed or moved file, and the untouched passages of an edited one, get new ids:
    this lets them keep their vectors instead of being embedded again."""
    current = {n.node_id for n in leaves}
    gone = [i for i in previous.leaf_ids if i not in current]
    if not gone:
        return {}
    by_content = {content_key(n): n.node_id for n in previous.get_nodes(gone)}
    return {n.node_id: old for n in leaves if (old := by_content.get(content_key(n)))}


@functools.cache
def code_digest() -> str:
    """The code and libraries that decode, structure and chunk a file (every module of `ingest` and `core`: a
    rule that moves between modules is still covered; the Unicode tables NFKD folding reads), read once, at
    import: a server left running after a `git pull` cuts passages with the code it loaded, and must not record
    the new code's digest for them (after its restart, unchanged files would keep the old passages)."""
    sources = [source for package in (ingest, core) for source in sorted(Path(package.__file__).parent.glob("*.py"))]
    return source_digest(sources, PARSER_LIBRARIES)


code_digest()  # at import, see above


def parser_digest(params: PassageParams) -> str:
    """Everything besides a file's name and bytes that shapes its passages: passage sizes and `code_digest`.
    When any differs from the previous generation's, every file is parsed again, once."""
    return hashlib.sha256(f"{params!r}\0{code_digest()}".encode()).hexdigest()


def write_parsed(gen_dir: Path, parser: str, too_many: dict[str, tuple[str, int]]) -> None:
    """Record the parser digest a generation's passages were cut under, and the (sha256, passages) of each file
    skipped for its passage count (the caller fsyncs the generation)."""
    (gen_dir / PARSED_FILE).write_text(json.dumps({"parser": parser, "too_many": too_many}, sort_keys=True))


class ParsedFiles:
    """The previous generation's documents, to take as they are when a file's bytes and the parser are the same:
    its record (with its warnings and first indexing time), its text and its nodes, spans included, exactly as
    parsing it again would give them (node ids hash the doc, its sha256 and the spans)."""

    def __init__(self, previous: IndexReader | None, parser: str, embedder_name: str | None = None) -> None:
        self._previous = previous
        self._embedder_name = embedder_name  # whose vectors are kept ("": none); None: the previous one's
        self._contents: set[tuple[str, tuple[str, ...]]] | None = None  # content_key of its leaves, when asked
        self._records: dict[str, DocumentRecord] = {}
        self._nodes: dict[str, list[TextNode]] | None = None  # by doc, read at the first file asked for
        self._too_many: dict[str, tuple[str, int]] = {}
        if previous is None:
            return
        try:
            recorded = json.loads((previous.path / PARSED_FILE).read_text())
            if recorded["parser"] != parser:
                return
            self._too_many = {doc: (str(sha), int(n)) for doc, (sha, n) in recorded.get("too_many", {}).items()}
        except (OSError, ValueError, TypeError, KeyError):  # a generation written before it, or a damaged file
            return
        self._records = {r.doc: r for r in previous.documents()}

    def __bool__(self) -> bool:
        return bool(self._records or self._too_many)

    def embedded(self, nodes: Sequence[TextNode]) -> bool:
        """Whether every passage of `nodes` keeps a vector of the previous generation (same id, or same text and
        section path), so none of them is embedded now: a file over max_passages_per_file that was searchable
        before is not dropped for its size (its vectors cost nothing)."""
        previous = self._previous
        leaves = [n for n in nodes if n.metadata["level"] == "passage"]
        if previous is None or not leaves or self._embedder_name not in (None, previous.embedder_name):
            return False
        known = set(previous.leaf_ids)
        missing = [n for n in leaves if n.node_id not in known]
        if missing and self._contents is None:
            self._contents = {content_key(n) for n in previous.get_nodes(list(known))}
        return all(content_key(n) in (self._contents or ()) for n in missing)

    def passages(self, doc: str, sha256: str) -> int | None:
        """How many passages `doc` was cut into when it was skipped for their number, if its bytes had `sha256`."""
        known = self._too_many.get(doc)
        return known[1] if known and known[0] == sha256 else None

    def get(self, doc: str, sha256: str) -> tuple[DocumentRecord, str, list[TextNode]] | None:
        """(record, text, nodes) of `doc` as the previous generation holds it, when its bytes had `sha256`;
        None otherwise, or when the generation cannot give them (the file is then parsed)."""
        record = self._records.get(doc)
        if record is None or record.sha256 != sha256 or self._previous is None:
            return None
        try:
            if self._nodes is None:  # all at once: per document, the queries cost more than the rows
                self._nodes = {}
                for node in self._previous.get_nodes(self._previous.node_ids()):
                    self._nodes.setdefault(node.metadata["doc"], []).append(node)
            text = self._previous.source_text(doc)
        except (sqlite3.Error, KeyError) as exc:
            log.warning("the previous index cannot give its passages (%s); every file is parsed again", exc)
            self._records = {}
            return None
        nodes = self._nodes.get(doc)
        return (record, text, nodes) if text is not None and nodes else None
