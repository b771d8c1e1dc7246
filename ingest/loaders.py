"""Turn one file into a `SourceDoc`: decoded text plus the headings or pages the format carries.

The text a loader returns is the text every span points into (what `/api/sources` serves), so for
HTML and PDF it is the extracted text, and headings/pages are given as spans over it.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.encodings import other_reading
from ingest.errors import SkippedFile
from ingest.schema import Kind, SourceDoc, sha256_bytes

if TYPE_CHECKING:
    from ingest.latex import LatexMarkup

NOTE_SUFFIXES = frozenset(
    {".txt", ".md", ".markdown", ".rst", ".org", ".tex", ".ipynb", ".html", ".htm", ".pdf", ".docx"}
)
MARKUP_FORMATS = {".md": "markdown", ".markdown": "markdown", ".rst": "rst", ".org": "org"}
CODE_SUFFIXES = frozenset({".py"})
SUPPORTED_SUFFIXES = NOTE_SUFFIXES | CODE_SUFFIXES


@dataclass(frozen=True)
class Heading:
    """A heading the format marks explicitly: `[start, end)` of its text in the extracted text."""

    level: int
    title: str
    start: int
    end: int


@dataclass(frozen=True)
class LoadedFile:
    """A decoded document and the structure its format declares (HTML headings, PDF pages)."""

    source: SourceDoc
    fmt: str  # "text" | "markdown" | "rst" | "org" | "latex" | "ipynb" | "html" | "pdf" | "docx" | "code"
    headings: tuple[Heading, ...] = ()
    pages: tuple[tuple[int, int], ...] = ()  # PDF: [start, end) of each page's text
    code: tuple[tuple[int, int], ...] = ()  # [start, end) of code the format marks (HTML <pre>, notebook cells)
    title: str | None = None  # the document's own title (a PDF's /Title), else the file name names it
    latex: LatexMarkup | None = None  # a .tex file's markup, parsed once by the loader (`ingest.latex`)
    context: tuple[tuple[int, int], ...] = ()  # [start, end) the format marks as labels (HTML <nav>, <footer>)
    # [start, end) of each line the loader wrote as a table row, its cells joined by " | " (HTML <tr>, a Word
    # table's row); None where the format writes its tables as text (Markdown's pipes: read from the text)
    rows: tuple[tuple[int, int], ...] | None = None
    # [start, start + 1) of each "|" the loader wrote between two cells of a row in `rows`: a "|" of a cell's own
    # text ("ls | wc -l" in a cell) is none, so no reader splits a cell; None where `rows` is None
    cell_breaks: tuple[tuple[int, int], ...] | None = None
    # where each line the loader wrote as a list item starts (HTML <li>, its indent included): a list's line,
    # never a title, whatever its marker reads like ("IV. Results" of an <ol type="I">)
    items: tuple[int, ...] = ()


def read_bytes(path: Path, max_file_bytes: int) -> bytes:
    """Read a file, turning every reason it cannot be indexed into a one-line `SkippedFile`."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SkippedFile(f"cannot stat: {exc.strerror or exc}") from exc
    if size > max_file_bytes:
        raise SkippedFile(f"too large: {size} bytes > max_file_bytes={max_file_bytes}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SkippedFile(f"unreadable: {exc.strerror or exc}") from exc
    if not data.strip():
        raise SkippedFile("empty file")
    return data


# what a byte that is not UTF-8 most likely meant: Windows-1252 (a superset of Latin-1's letters, and what
# Windows editors save), Latin-1 for the five bytes Windows-1252 leaves undefined
_LEGACY_CHARS = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))
LEGACY_ENCODING = "Windows-1252"


def _read_as_legacy(exc: UnicodeError) -> tuple[str, int]:
    """codecs error handler: an invalid UTF-8 sequence read byte by byte as Windows-1252 (`_LEGACY_CHARS`)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(_LEGACY_CHARS[b] for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error("notecite-legacy", _read_as_legacy)


def _as_legacy(data: bytes) -> str:
    """UTF-8, each invalid sequence read as Windows-1252."""
    return data.decode("utf-8", errors="notecite-legacy")


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, tuple[str, ...]]:
    """UTF-8, and any bytes that are not UTF-8 read as Windows-1252: a Latin-1 note keeps its "é", and a UTF-8
    note with a few stray bytes keeps its UTF-8 (a whole-file fallback would garble it). A note with no UTF-8
    in it whose Windows-1252 words are mojibake is read as Windows-1251, KOI8-R or Windows-1253 where that gives
    words (ingest.encodings). One character per
    undecodable byte; spans index into this text, which is what the store keeps and serves. A byte order
    mark is no text (a notebook's JSON would not parse with it).

    UTF-16 is read when a byte order mark says so (Windows editors save it); its NUL bytes are not binary.
    An encoding the file `declared` (an HTML <meta charset>) is used when the bytes are not UTF-8 and fit it.
    Text that is mostly undecodable bytes is taken for binary.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise SkippedFile("undecodable UTF-16 (a byte order mark, then bytes that are not UTF-16)") from None
    if b"\x00" in data:
        raise SkippedFile("binary file (contains NUL bytes)")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        replaced = data.decode("utf-8", errors="replace")
    if declared and not declared.lower().startswith("utf"):  # a page declaring UTF-16 that is not, is mislabelled
        try:
            text = data.decode(declared)
            # a text encoding gives the bytes back; a codec that is not one ("unicode_escape", "rot13") does not
            if text.encode(declared) == data:
                return text, (f"not UTF-8: decoded as {declared}, the encoding the file declares",)
        except (LookupError, UnicodeError, TypeError):
            pass
    bad = replaced.count("\ufffd") - data.count("\ufffd".encode())  # invalid sequences, not U+FFFD written
    some_utf8 = any(not c.isascii() for c in replaced.replace("\ufffd", ""))
    if not some_utf8:  # every non-ASCII byte is invalid UTF-8 (bar a U+FFFD written): its Windows-1252 reading
        fast = "\ufffd".encode() not in data  # then one C call, not the error handler per byte (2.7 MB: 4 s)
        text = codecs.charmap_decode(data, "strict", _LEGACY_CHARS)[0] if fast else _as_legacy(data)
        # a Russian or Greek note: as Windows-1252 its words are mojibake, and most of its bytes are not UTF-8
        if other := other_reading(data, text):
            return other[0], (f"not UTF-8: decoded as {other[1]} (as {LEGACY_ENCODING} its words read as mojibake)",)
    if bad > max(16, len(replaced) // 4):
        raise SkippedFile(f"binary or undecodable ({bad} invalid UTF-8 sequences)")
    if some_utf8:  # the error handler reads each invalid sequence, once the file is taken for text
        text = _as_legacy(data)
        return text, (f"invalid UTF-8: {bad} byte sequence(s) read as {LEGACY_ENCODING}",)
    return text, (f"not UTF-8: decoded as {LEGACY_ENCODING}",)


def doc_name(relative: str) -> str:
    """A file's doc name from its path relative to its root. A name that is not UTF-8 (a zip or share from Windows:
    Python hands it over with surrogate escapes, which cannot be stored or sent as JSON and failed the whole
    ingest) is read the way decode_text reads such text: each undecodable byte as Windows-1252."""
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", errors="notecite-legacy")


# PEP 263: "# -*- coding: latin-1 -*-" on a Python file's first or second line
_PYTHON_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _python_coding(data: bytes) -> str | None:
    for line in data.splitlines()[:2]:
        if match := _PYTHON_CODING.match(line):
            return match.group(1).decode("ascii")
    return None


def _text_like(doc: str, data: bytes, fmt: str, kind: Kind) -> LoadedFile:
    text, warnings = decode_text(data, _python_coding(data) if fmt == "code" else None)
    if not text.strip():
        raise SkippedFile("empty file (only whitespace)")
    return LoadedFile(SourceDoc(doc, text, sha256_bytes(data), kind, warnings), fmt)


def _load_pdf(doc: str, data: bytes) -> LoadedFile:
    """Page texts joined by blank lines; each page is a span, which structure turns into a section."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        page_texts = [(page.extract_text() or "") for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise SkippedFile(f"unreadable PDF: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - a parser of untrusted bytes: a decompression bomb, deep nesting...
        raise SkippedFile(f"unreadable PDF ({type(exc).__name__}): {exc}") from exc
    from ingest.pdf_text import clean_pages, metadata_title

    stripped = ["\n".join(line.rstrip() for line in t.replace("\x00", "").splitlines()).strip() for t in page_texts]
    pieces: list[str] = []
    pages: list[tuple[int, int]] = []
    length = 0
    for clean in clean_pages(stripped):
        if pieces:
            pieces.append("\n\n")
            length += 2
        pages.append((length, length + len(clean)))
        pieces.append(clean)
        length += len(clean)
    text = "".join(pieces)
    if not text.strip():
        raise SkippedFile("PDF has no extractable text (scanned images?)")
    from ingest.pdf_outline import outline_headings

    headings = outline_headings(reader, text, pages)
    source = SourceDoc(doc, text, sha256_bytes(data), "note")
    return LoadedFile(source, "pdf", headings, tuple(pages), title=metadata_title(reader))


def load_file(path: Path, doc: str, *, max_file_bytes: int = 5_000_000) -> LoadedFile:
    """Load one supported file; raises `SkippedFile` with a one-line reason when it cannot be indexed."""
    if path.is_dir():
        raise SkippedFile("is a directory")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SkippedFile(f"unsupported file type {suffix or '(none)'}")
    data = read_bytes(path, max_file_bytes)
    if suffix == ".pdf":
        return _load_pdf(doc, data)
    if suffix == ".docx":
        from ingest.docx import load_docx

        return load_docx(doc, data)
    if suffix in {".html", ".htm"}:
        from ingest.html import load_html

        return load_html(doc, data)
    if suffix in CODE_SUFFIXES:
        return _text_like(doc, data, "code", "code")
    if suffix == ".tex":
        from ingest.latex import printed_or_skipped

        return printed_or_skipped(_text_like(doc, data, "latex", "note"))
    if suffix == ".ipynb":
        from ingest.notebook import load_notebook

        return load_notebook(doc, data)
    return _text_like(doc, data, MARKUP_FORMATS.get(suffix, "text"), "note")
