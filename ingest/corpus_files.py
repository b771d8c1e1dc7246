"""Which files of a corpus root are indexed, and each one's passages: kept from the previous generation when its
bytes are unchanged (`ingest.reuse.ParsedFiles`), else loaded and cut; or why it is skipped."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from llama_index.core.schema import TextNode

from ingest.code import code_nodes, has_code, is_test_file
from ingest.errors import SkippedFile
from ingest.loaders import CODE_SUFFIXES, SUPPORTED_SUFFIXES, doc_name, load_file, read_bytes
from ingest.passages import PassageParams, section_nodes
from ingest.reuse import ParsedFiles
from ingest.schema import DocumentRecord, Kind, sha256_bytes
from ingest.structure import infer_structure


@dataclass(frozen=True)
class CorpusRoot:
    """A folder to index; `prefix` is prepended to each file's relative path to form its doc name."""

    path: Path
    prefix: str = ""
    kind: Kind = "note"
    optional: bool = field(default=False, metadata={"help": "a missing folder is ignored (uploads)"})


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
        linked = root.kind == "note" and path.is_symlink() and not path.is_file()  # document_nodes says why not
        if not linked and (path.suffix.lower() not in suffixes or not (path.is_file() or path.is_dir())):
            continue
        doc = root.prefix + doc_name(rel.as_posix())
        if root.kind == "code" and is_test_file(rel.as_posix()):
            continue
        yield path, doc


def check_link(path: Path, root: CorpusRoot) -> None:
    """Raise SkippedFile for a link that is not to be followed. walk() enters no linked folder, so only the
    path itself can lead elsewhere (resolving every path cost ~0.3 s per 1,000 files)."""
    if not path.is_symlink():
        return
    if not path.is_file():  # walk() does not enter linked folders (loops, files twice)
        raise SkippedFile("a linked folder is not followed; copy its notes in" if path.is_dir() else "a broken link")
    if not path.resolve().is_relative_to(root.path.resolve()):  # a symlink must not publish /etc/passwd
        raise SkippedFile("links outside its folder; copy the file in instead")


class TooManyPassages(SkippedFile):
    """A file cut into more passages than max_passages_per_file; `sha256` and `passages` are remembered, so the
    next ingest skips the unchanged file without parsing it (a 4.9 MB log took 4.8 s each time)."""

    def __init__(self, sha256: str, passages: int, limit: int, parsed_now: bool) -> None:
        super().__init__(
            f"{passages:,} passages, more than max_passages_per_file={limit:,} (embedding them would hold up the "
            "index): split the file or raise NOTECITE_LIMITS__MAX_PASSAGES_PER_FILE (0: no limit)"
        )
        self.sha256, self.passages, self.parsed_now = sha256, passages, parsed_now


def file_nodes(
    path: Path,
    doc: str,
    root: CorpusRoot,
    limits: tuple[int, int],
    params: PassageParams,
    parsed: ParsedFiles,
) -> tuple[DocumentRecord, str, list[TextNode], bool] | None:
    """(record, text, nodes, parsed now) of one file: the previous generation's when its bytes are the same
    (`parsed`), else `document_nodes`. `limits` is (max_file_bytes, max_passages_per_file; 0: none): a file of
    more passages raises TooManyPassages, unless the previous generation holds all their vectors (nothing to
    embed). A 4.9 MB log is 7,500-11,700 passages and 20+ minutes of embedding on a 2-core CPU: without the cap it
    would hold every other change back, unannounced."""
    max_file_bytes, max_passages = limits
    check_link(path, root)
    if parsed and path.is_file():  # the size and empty-file rules apply as load_file applies them
        sha256 = sha256_bytes(read_bytes(path, max_file_bytes))
        kept = parsed.get(doc, sha256)
        passages = kept[0].n_passages if kept is not None else parsed.passages(doc, sha256)
        if kept is not None and (not max_passages or passages <= max_passages or parsed.embedded(kept[2])):
            return *kept, False
        if passages is not None and max_passages and passages > max_passages:
            raise TooManyPassages(sha256, passages, max_passages, parsed_now=False)
    result = parse_file(path, doc, root, max_file_bytes, params)
    if result is not None and max_passages and result[0].n_passages > max_passages and not parsed.embedded(result[2]):
        raise TooManyPassages(result[0].sha256, result[0].n_passages, max_passages, parsed_now=True)
    return None if result is None else (*result, True)


def document_nodes(
    path: Path, doc: str, root: CorpusRoot, max_file_bytes: int, params: PassageParams
) -> tuple[DocumentRecord, str, list[TextNode]] | None:
    """Load and chunk one file; None for code files with nothing to cite (skipped silently)."""
    check_link(path, root)
    return parse_file(path, doc, root, max_file_bytes, params)


def parse_file(
    path: Path, doc: str, root: CorpusRoot, max_file_bytes: int, params: PassageParams
) -> tuple[DocumentRecord, str, list[TextNode]] | None:
    """`document_nodes` once its links are checked."""
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


@dataclass
class FilesRead:
    """What the files of one ingest gave: documents (record, text), their nodes (sections and passages), the
    (doc, reason) of each file skipped, how many files were parsed now (the rest kept their passages), and the
    (sha256, passages) of those skipped for their passage count."""

    documents: list[tuple[DocumentRecord, str]] = field(default_factory=list)
    nodes: list[TextNode] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    parsed: int = 0
    too_many: dict[str, tuple[str, int]] = field(default_factory=dict)


def read_files(
    files: Sequence[tuple[Path, str, CorpusRoot]],
    parsed: ParsedFiles,
    max_file_bytes: int,
    max_passages_per_file: int,
    params: PassageParams,
    progress: Callable[[int, int], None] | None = None,
) -> FilesRead:
    """Documents (record, text) and nodes of (path, doc, root) `files`; those that cannot be indexed are in
    `skipped` with the reason. `progress(done, total)` counts files."""
    read = FilesRead()
    seen: dict[str, Path] = {}
    for i, (path, doc, root) in enumerate(files):
        if doc in seen:  # two names that read alike: b"caf\xe9.md" (not UTF-8) and "café.md"
            first, second = (os.fsencode(p).decode("utf-8", "backslashreplace") for p in (seen[doc], path))
            read.skipped.append((doc, f"{second} has the same name as {first}: rename one"))  # JSON-safe
            continue
        seen[doc] = path
        try:
            result = file_nodes(path, doc, root, (max_file_bytes, max_passages_per_file), params, parsed)
        except SkippedFile as exc:
            if isinstance(exc, TooManyPassages):
                read.too_many[doc] = (exc.sha256, exc.passages)
                read.parsed += exc.parsed_now
            if not (root.kind == "code" and path.name == "__init__.py"):  # an empty package marker
                read.skipped.append((doc, str(exc)))
            result = None
        if result is not None:
            record, text, doc_nodes, parsed_now = result
            read.documents.append((record, text))
            read.nodes.extend(doc_nodes)
            read.parsed += parsed_now
        if progress:
            progress(i + 1, len(files))
    return read
