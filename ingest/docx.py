"""Word documents (.docx): the text of the paragraphs and tables, with the structure their styles declare.

A .docx is a zip of XML parts, read here with the standard library (no dependency). As for a PDF, the text
every span points into is the extracted text (what `/api/sources` serves): one paragraph per line, a blank
line between paragraphs (so a paragraph that ends without a full stop never runs into the next), and:
- a paragraph styled Title or Heading 1-6 (or with an outline level) is a heading, Title above Heading 1;
- a list paragraph (Word numbering, or a List style) is a line "- item" or "3. item", indented by its level,
  right below the paragraph before it ("Three steps:" is quoted with its items);
- a table row is one line, its cells joined by " | "; a row repeated as the header on each page (Table
  Properties > Row > "Repeat as header row") names the columns: context, as a Markdown table's header is;
- paragraphs in a code style (Code, HTML Preformatted, Macro Text ...) are code spans.
Styles are read by their names in styles.xml (always English, whatever the Word's language) along their
`basedOn` chain. Deleted tracked changes, field codes, a text box's fallback copy and hidden text (Font >
Hidden on the text, its character style or its paragraph's style: how an answer key is hidden) are no text.
A file that is not a zip (an encrypted .docx is an OLE file, as is an old .doc) is skipped with the reason.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

from ingest.docx_styles import Numbering, Styles, attr, child, is_on, local
from ingest.errors import SkippedFile
from ingest.loaders import Heading, LoadedFile
from ingest.schema import SourceDoc, sha256_bytes
from ingest.sections import Span, trim_span

# The XML parts read (relationships, document, styles, numbering) may unzip to UNZIPPED_PER_FILE_BYTE times the
# file's size, at least MIN_UNZIPPED_BYTES (Word's own styles.xml is ~350 KB) and at most MAX_UNZIPPED_BYTES in
# all: more is a zip bomb rather than notes (a 17.7 KB file of 12 MB empty paragraphs took 21 s and 233 MB).
UNZIPPED_PER_FILE_BYTE = 20
MIN_UNZIPPED_BYTES = 2_000_000
MAX_UNZIPPED_BYTES = 16_000_000
MAX_LIST_LEVEL = 8  # Word's list levels are 0-8; a larger w:ilvl would indent an item by millions of spaces
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .docx and old .doc files are OLE compound files
_WRAPPERS = frozenset({"sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo"})  # their content is text
_SKIPPED = frozenset({"pPr", "rPr", "sdtPr", "del", "moveFrom", "delText", "instrText", "Fallback", "tblPr"})


@dataclass(frozen=True)
class _Paragraph:
    """What a paragraph is: its text, and `heading` (level), `item` ((numId, level)) or `code`."""

    text: str
    heading: int | None = None
    item: tuple[str, int] | None = None
    code: bool = False
    row: bool = False  # a table row
    cells: int = 0  # a table row's cells, joined by " | " in `text`
    breaks: tuple[int, ...] = ()  # where in `text` each "|" between two of those cells is
    header: bool = False  # a table row Word repeats as the header of each page


def unzipped_budget(file_bytes: int) -> int:
    """How many bytes the XML parts of a .docx of `file_bytes` may unzip to, all parts together."""
    return min(MAX_UNZIPPED_BYTES, max(MIN_UNZIPPED_BYTES, UNZIPPED_PER_FILE_BYTE * file_bytes))


class _Package:
    """The zip's parts, read against one budget of unzipped bytes for the whole file (see `unzipped_budget`)."""

    def __init__(self, archive: zipfile.ZipFile, file_bytes: int) -> None:
        self.archive = archive
        self.budget = unzipped_budget(file_bytes)
        self.left = self.budget

    def read(self, name: str) -> ElementTree.Element | None:
        """A part parsed, None when the archive has none; one over the budget, or declaring entities, is refused."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            return None
        with self.archive.open(info) as part:
            data = part.read(self.left + 1)
        self.left -= len(data)
        if self.left < 0:
            raise SkippedFile(
                f"Word document unzips to over {self.budget:,} bytes of XML (at {name}): a zip bomb rather than notes"
            )
        return _parse_part(name, data)


def _parse_part(name: str, data: bytes) -> ElementTree.Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise SkippedFile(f"Word part {name} declares a DTD, which a .docx never does")
    return ElementTree.fromstring(data)


def _document_part(package: _Package) -> str:
    """The main document's part name, as the package's relationships name it (word/document.xml by default)."""
    rels = package.read("_rels/.rels")
    for rel in rels if rels is not None else ():
        target = attr(rel, "Target")
        if (attr(rel, "Type") or "").endswith("/officeDocument") and target:
            return posixpath.normpath(target.lstrip("/"))
    return "word/document.xml"


def _is_hidden(run: ElementTree.Element, styles: Styles, paragraph_hidden: bool) -> bool:
    """A run of hidden text (Font > Hidden: `<w:vanish/>` in its properties, a character style that hides, or
    in a paragraph whose style hides, `paragraph_hidden`: an "Answer key" style), how an answer key is hidden from
    the page a student sees: Word neither shows nor prints it, and it is no note to index or quote. The run's
    own property overrides its character style's, which overrides its paragraph style's."""
    properties = child(run, "rPr")
    vanish = child(properties, "vanish")
    if vanish is not None:
        return is_on(vanish)
    said = styles.hides(attr(child(properties, "rStyle"), "val"))
    return paragraph_hidden if said is None else said


def _run_text(paragraph: ElementTree.Element, boxes: list[ElementTree.Element], styles: Styles, hidden: bool) -> str:
    """The paragraph's visible text (`hidden`: its style hides it, so only runs that say otherwise show); text
    boxes inside it are collected into `boxes`, read after it."""
    out: list[str] = []
    stack = list(reversed(list(paragraph)))
    while stack:
        element = stack.pop()
        name = local(element.tag)
        if name in _SKIPPED or (name == "r" and _is_hidden(element, styles, hidden)):
            continue
        if name == "txbxContent":
            boxes.append(element)
            continue
        if name == "t":
            out.append(element.text or "")
        elif name == "tab":
            out.append("\t")
        elif name in ("br", "cr"):
            out.append("\n")
        elif name == "noBreakHyphen":
            out.append("-")
        stack.extend(reversed(list(element)))
    return "".join(out)


def _blocks(container: ElementTree.Element, styles: Styles) -> Iterator[_Paragraph]:
    """The paragraphs and table rows of a body, a cell or a text box, in order (content controls opened)."""
    for element in container:
        # a paragraph, table or control without text adds nothing (_extract drops it): passed over in C, as
        # 2.6 M empty paragraphs padding a 2 MB file, each read in Python, took 30 s
        if not any(map(str.strip, element.itertext())):
            continue
        name = local(element.tag)
        if name == "p":
            boxes: list[ElementTree.Element] = []
            style = attr(child(element, "pPr", "pStyle"), "val")
            text = _run_text(element, boxes, styles, styles.paragraph_hides(style))
            outline = attr(child(element, "pPr", "outlineLvl"), "val")
            num = child(element, "pPr", "numPr")
            heading = int(outline) + 1 if outline and outline.isdigit() and int(outline) < 9 else styles.heading(style)
            level = attr(child(num, "ilvl"), "val") or str(styles.list_level(style))
            num_id = attr(child(num, "numId"), "val") or styles.list_id(style)
            if heading is not None:
                yield _Paragraph(text, heading=heading)
            elif styles.is_code(style):
                yield _Paragraph(text, code=True)
            elif num_id and num_id != "0":  # numId 0 takes the numbering off a paragraph whose style has one
                yield _Paragraph(text, item=(num_id, min(int(level), MAX_LIST_LEVEL) if level.isdigit() else 0))
            else:
                yield _Paragraph(text)
            for box in boxes:
                yield from _blocks(box, styles)
        elif name == "tbl":
            for row in _rows(element):
                cells = [c for c in row if local(c.tag) == "tc"]
                texts = [" ".join(" ".join(p.text.split()) for p in _blocks(cell, styles)) for cell in cells]
                if any(texts):
                    header = is_on(child(row, "trPr", "tblHeader"))
                    yield _row(texts, header)
        elif name in _WRAPPERS:
            yield from _blocks(element, styles)


def _row(texts: list[str], header: bool) -> _Paragraph:
    """A table row as one line, its cells joined by " | " (the line trimmed, as `_paragraph_text` trims it), with
    where each "|" between two cells is: a cell's own " | " ("cut -f1 | sort") is none."""
    joined = " | ".join(texts)
    lead = len(joined) - len(joined.lstrip())
    breaks, at = [], 0
    for text in texts[:-1]:
        at += len(text) + 1
        breaks.append(at - lead)
        at += 2
    return _Paragraph(joined.strip(), row=True, cells=len(texts), header=header, breaks=tuple(breaks))


def _rows(table: ElementTree.Element) -> Iterator[ElementTree.Element]:
    """The table's own rows (a nested table's rows are its cell's text), content controls opened."""
    for element in table:
        name = local(element.tag)
        if name == "tr":
            yield element
        elif name in _WRAPPERS:
            yield from _rows(element)


def _paragraph_text(paragraph: _Paragraph) -> str:
    """Code keeps its lines' indentation; a heading is one line; other text keeps Word's line breaks."""
    lines = [line.rstrip() for line in paragraph.text.split("\n")]
    if paragraph.code:
        return "\n".join(lines).strip("\n")
    if paragraph.heading is not None:
        return " ".join(paragraph.text.split())
    return "\n".join(line.strip() for line in lines).strip()


def _extract(package: _Package) -> tuple[str, list[Heading], list[Span], list[Span], list[Span], list[Span]]:
    """The document's text, headings, code spans, context spans (header rows), table rows and the "|" between
    their cells."""
    name = _document_part(package)
    document = package.read(name)
    if document is None:
        raise SkippedFile(f"not a Word document: the archive has no {name}")
    folder = posixpath.dirname(name)
    styles = Styles(package.read(posixpath.join(folder, "styles.xml")))
    numbering = Numbering(package.read(posixpath.join(folder, "numbering.xml")))
    body = child(document, "body")
    pieces: list[str] = []
    headings: list[Heading] = []
    code: list[tuple[int, int]] = []
    context: list[tuple[int, int]] = []
    rows: list[tuple[int, int]] = []  # each table row's line, its cells joined by " | "
    breaks: list[tuple[int, int]] = []  # each "|" between two cells of a row
    size = 0
    previous: _Paragraph | None = None
    for paragraph in _blocks(body if body is not None else document, styles):
        text = _paragraph_text(paragraph)
        if not text.strip():
            continue
        if paragraph.item is not None:
            num_id, level = paragraph.item
            text = "  " * level + numbering.marker(num_id, level) + text
        leads_in = previous is not None and previous.heading is None and not previous.row and not previous.code
        tight = previous is not None and bool(
            (paragraph.item and (previous.item or leads_in))  # a list stays with the paragraph that leads into it
            or (paragraph.row and previous.row)
            or (paragraph.code and previous.code)
        )
        if pieces:
            sep = "\n" if tight else "\n\n"
            pieces.append(sep)
            size += len(sep)
        if paragraph.heading is not None:
            headings.append(Heading(paragraph.heading, text, size, size + len(text)))
        if paragraph.code and tight and code:  # consecutive code paragraphs are one block
            code[-1] = (code[-1][0], size + len(text))
        elif paragraph.code:
            code.append((size, size + len(text)))
        if paragraph.header:
            context.append((size, size + len(text)))
        if paragraph.row and paragraph.cells >= 2:  # a row of one cell is its text: nothing joined
            rows.append((size, size + len(text)))
            breaks.extend((size + at, size + at + 1) for at in paragraph.breaks)
        pieces.append(text)
        size += len(text)
        previous = paragraph
    text = "".join(pieces)
    return text, headings, [trim_span(text, s, e) for s, e in code], context, rows, breaks


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def load_docx(doc: str, data: bytes) -> LoadedFile:
    """A .docx as its extracted text, headings and code spans; `SkippedFile` with the reason otherwise."""
    if data.startswith(OLE_MAGIC):
        raise SkippedFile(
            "an encrypted (password-protected) or old-format Word file: save it as .docx without a password"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text, headings, code, context, rows, breaks = _extract(_Package(archive, len(data)))
    except SkippedFile:
        raise
    except zipfile.BadZipFile as exc:
        raise SkippedFile(f"unreadable Word document (not a .docx zip archive): {_one_line(exc)}") from exc
    except ElementTree.ParseError as exc:
        raise SkippedFile(f"unreadable Word document (broken XML): {_one_line(exc)}") from exc
    except Exception as exc:  # noqa: BLE001 - a parser of untrusted bytes: a truncated zip, a bad CRC, deep nesting
        raise SkippedFile(f"unreadable Word document ({type(exc).__name__}): {_one_line(exc)}") from exc
    if not text.strip():
        raise SkippedFile("Word document has no text (empty, or only pictures)")
    source = SourceDoc(doc, text, sha256_bytes(data), "note")
    return LoadedFile(
        source,
        "docx",
        tuple(headings),
        code=tuple(code),
        context=tuple(context),
        rows=tuple(rows),
        cell_breaks=tuple(breaks),
    )
