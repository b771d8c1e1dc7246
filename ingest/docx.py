"""Word documents (.docx): the text of the paragraphs and tables, with the structure their styles declare.

A .docx is a zip of XML parts, read here with the standard library (no dependency). As for a PDF, the text
every span points into is the extracted text (what `/api/sources` serves): one paragraph per line, a blank
line between paragraphs (so a paragraph that ends without a full stop never runs into the next), and:
- a paragraph styled Title or Heading 1-6 (or with an outline level) is a heading, Title above Heading 1;
- a list paragraph (Word numbering, or a List style) is a line "- item" or "3. item", indented by its level,
  right below the paragraph before it ("Three steps:" is quoted with its items);
- a table row is one line, its cells joined by " | ";
- paragraphs in a code style (Code, HTML Preformatted, Macro Text ...) are code spans.
Styles are read by their names in styles.xml (always English, whatever the Word's language) along their
`basedOn` chain. Deleted tracked changes, field codes, a text box's fallback copy and hidden text (Font >
Hidden, how an answer key is hidden) are no text.
A file that is not a zip (an encrypted .docx is an OLE file, as is an old .doc) is skipped with the reason.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

from ingest.errors import SkippedFile
from ingest.loaders import Heading, LoadedFile
from ingest.schema import SourceDoc, sha256_bytes
from ingest.sections import trim_span

# The XML parts read (relationships, document, styles, numbering) may unzip to UNZIPPED_PER_FILE_BYTE times the
# file's size, at least MIN_UNZIPPED_BYTES (Word's own styles.xml is ~350 KB) and at most MAX_UNZIPPED_BYTES in
# all: more is a zip bomb rather than notes (a 17.7 KB file of 12 MB empty paragraphs took 21 s and 233 MB).
UNZIPPED_PER_FILE_BYTE = 20
MIN_UNZIPPED_BYTES = 2_000_000
MAX_UNZIPPED_BYTES = 16_000_000
MAX_LIST_LEVEL = 8  # Word's list levels are 0-8; a larger w:ilvl would indent an item by millions of spaces
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .docx and old .doc files are OLE compound files
_HEADING_NAME = re.compile(r"heading\s*([1-9])", re.IGNORECASE)
_NESTED_LIST_NAME = re.compile(r"list\s*(?:bullet|number)\s*([2-9])", re.IGNORECASE)
_CODE_NAME = re.compile(r"code|preformatted|verbatim|macro text|source|listing", re.IGNORECASE)
_WRAPPERS = frozenset({"sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo"})  # their content is text
_SKIPPED = frozenset({"pPr", "rPr", "sdtPr", "del", "moveFrom", "delText", "instrText", "Fallback", "tblPr"})


def _local(tag: object) -> str:
    """An element's name without its namespace (Word's transitional and strict schemas name them alike)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attr(element: ElementTree.Element | None, name: str) -> str | None:
    if element is None:
        return None
    return next((value for key, value in element.attrib.items() if _local(key) == name), None)


def _child(element: ElementTree.Element | None, *path: str) -> ElementTree.Element | None:
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


@dataclass(frozen=True)
class _Style:
    name: str
    based_on: str | None
    outline: int | None  # 0-based outline level, as Word stores it
    num_id: str | None  # the list a paragraph of this style is an item of


@dataclass(frozen=True)
class _Paragraph:
    """What a paragraph is: its text, and `heading` (level), `item` ((numId, level)) or `code`."""

    text: str
    heading: int | None = None
    item: tuple[str, int] | None = None
    code: bool = False
    row: bool = False  # a table row


class _Styles:
    """Paragraph styles by id, and which character styles hide their runs, resolved along `basedOn` (a cycle or
    a chain over 20 deep ends the walk)."""

    def __init__(self, root: ElementTree.Element | None) -> None:
        self.styles: dict[str, _Style] = {}
        # character styles: (whether its runs are hidden, None when it does not say, the style it is based on)
        self.characters: dict[str, tuple[bool | None, str | None]] = {}
        for style in root if root is not None else ():
            # a style without children names nothing its id does not (`chain`): passed over, as padding is
            if not len(style) or _local(style.tag) != "style":
                continue
            if _attr(style, "type") == "character":
                vanish = _child(style, "rPr", "vanish")
                self.characters[_attr(style, "styleId") or ""] = (
                    None if vanish is None else _is_on(vanish),
                    _attr(_child(style, "basedOn"), "val"),
                )
            if _attr(style, "type") not in (None, "paragraph"):
                continue
            outline = _attr(_child(style, "pPr", "outlineLvl"), "val")
            self.styles[_attr(style, "styleId") or ""] = _Style(
                (_attr(_child(style, "name"), "val") or "").strip(),
                _attr(_child(style, "basedOn"), "val"),
                int(outline) if outline and outline.isdigit() else None,
                _attr(_child(style, "pPr", "numPr", "numId"), "val"),
            )

    def chain(self, style_id: str | None) -> Iterator[tuple[str, _Style | None]]:
        """(id, style) from the paragraph's style up its `basedOn` ancestors."""
        seen: set[str] = set()
        while style_id and style_id not in seen and len(seen) < 20:
            seen.add(style_id)
            style = self.styles.get(style_id)
            yield style_id, style
            style_id = style.based_on if style else None

    def heading(self, style_id: str | None) -> int | None:
        """Title: 0, Heading N: N, else an outline level's N; None for body text."""
        for sid, style in self.chain(style_id):
            name = style.name if style and style.name else sid
            if name.lower() == "title":
                return 0
            if match := _HEADING_NAME.fullmatch(name):
                return int(match.group(1))
            if style and style.outline is not None and style.outline < 9:
                return style.outline + 1
        return None

    def list_id(self, style_id: str | None) -> str | None:
        """The list a style's paragraphs are items of: its numbering, or its own id for a "List Bullet" or
        "List Number" style without one; None for other styles."""
        for sid, style in self.chain(style_id):
            if style and style.num_id:
                return style.num_id
            if (style.name if style and style.name else sid).lower().startswith(("list bullet", "list number")):
                return sid
        return None

    def list_level(self, style_id: str | None) -> int:
        """The nesting a style says: "List Bullet 2" is a second-level item (its numbering has one level only)."""
        for sid, style in self.chain(style_id):
            if match := _NESTED_LIST_NAME.fullmatch(style.name if style and style.name else sid):
                return int(match.group(1)) - 1
        return 0

    def hides(self, style_id: str | None) -> bool:
        """Whether runs of the character style `style_id` are hidden text (it or a style it is based on says so)."""
        seen: set[str] = set()
        while style_id and style_id not in seen and len(seen) < 20:
            seen.add(style_id)
            hidden, style_id = self.characters.get(style_id, (None, None))
            if hidden is not None:
                return hidden
        return False

    def is_code(self, style_id: str | None) -> bool:
        return any(_CODE_NAME.search(s.name if s and s.name else sid) for sid, s in self.chain(style_id))


class _Numbering:
    """Each list's format per level (bullet or a number), from numbering.xml; a counter per list and level."""

    def __init__(self, root: ElementTree.Element | None) -> None:
        abstract: dict[str, dict[int, str]] = {}
        self.formats: dict[str, dict[int, str]] = {}
        children = [element for element in root if len(element)] if root is not None else []  # empty: no format
        for element in children:
            if _local(element.tag) == "abstractNum":
                levels = abstract.setdefault(_attr(element, "abstractNumId") or "", {})
                for lvl in element:
                    ilvl = _attr(lvl, "ilvl")
                    if _local(lvl.tag) == "lvl" and ilvl and ilvl.isdigit():
                        levels[int(ilvl)] = _attr(_child(lvl, "numFmt"), "val") or "bullet"
        for element in children:
            if _local(element.tag) == "num":
                self.formats[_attr(element, "numId") or ""] = abstract.get(
                    _attr(_child(element, "abstractNumId"), "val") or "", {}
                )
        self.counters: dict[str, dict[int, int]] = {}  # list -> level -> items numbered so far

    def marker(self, num_id: str, level: int) -> str:
        """ "- " for a bullet, "3. " for the third item of a numbered level (deeper levels restart)."""
        fmt = self.formats.get(num_id, {}).get(level, "bullet")
        counts = self.counters.setdefault(num_id, {})
        for deeper in [lvl for lvl in counts if lvl > level]:
            del counts[deeper]
        if fmt in ("bullet", "none"):
            return "- "
        counts[level] = counts.get(level, 0) + 1
        return f"{counts[level]}. "


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
        target = _attr(rel, "Target")
        if (_attr(rel, "Type") or "").endswith("/officeDocument") and target:
            return posixpath.normpath(target.lstrip("/"))
    return "word/document.xml"


def _is_on(toggle: ElementTree.Element | None) -> bool:
    """Whether a toggle property (`<w:vanish/>`) is set: present, and not `w:val="0"`, "false" or "off"."""
    return toggle is not None and (_attr(toggle, "val") or "true").lower() not in ("0", "false", "off")


def _is_hidden(run: ElementTree.Element, styles: _Styles) -> bool:
    """A run of hidden text (Font > Hidden: `<w:vanish/>` in its properties, or a character style that hides),
    how an answer key is hidden from the page a student sees: Word neither shows nor prints it, and it is no
    note to index or quote. The run's own property overrides its style's."""
    properties = _child(run, "rPr")
    if properties is None:
        return False
    vanish = _child(properties, "vanish")
    if vanish is not None:
        return _is_on(vanish)
    return styles.hides(_attr(_child(properties, "rStyle"), "val"))


def _run_text(paragraph: ElementTree.Element, boxes: list[ElementTree.Element], styles: _Styles) -> str:
    """The paragraph's visible text; text boxes inside it are collected into `boxes`, read after it."""
    out: list[str] = []
    stack = list(reversed(list(paragraph)))
    while stack:
        element = stack.pop()
        name = _local(element.tag)
        if name in _SKIPPED or (name == "r" and _is_hidden(element, styles)):
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


def _blocks(container: ElementTree.Element, styles: _Styles) -> Iterator[_Paragraph]:
    """The paragraphs and table rows of a body, a cell or a text box, in order (content controls opened)."""
    for element in container:
        # a paragraph, table or control without text adds nothing (_extract drops it): passed over in C, as
        # 2.6 M empty paragraphs padding a 2 MB file, each read in Python, took 30 s
        if not any(map(str.strip, element.itertext())):
            continue
        name = _local(element.tag)
        if name == "p":
            boxes: list[ElementTree.Element] = []
            text = _run_text(element, boxes, styles)
            style = _attr(_child(element, "pPr", "pStyle"), "val")
            outline = _attr(_child(element, "pPr", "outlineLvl"), "val")
            num = _child(element, "pPr", "numPr")
            heading = int(outline) + 1 if outline and outline.isdigit() and int(outline) < 9 else styles.heading(style)
            level = _attr(_child(num, "ilvl"), "val") or str(styles.list_level(style))
            num_id = _attr(_child(num, "numId"), "val") or styles.list_id(style)
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
                cells = [c for c in row if _local(c.tag) == "tc"]
                texts = [" ".join(" ".join(p.text.split()) for p in _blocks(cell, styles)) for cell in cells]
                if any(texts):
                    yield _Paragraph(" | ".join(texts), row=True)
        elif name in _WRAPPERS:
            yield from _blocks(element, styles)


def _rows(table: ElementTree.Element) -> Iterator[ElementTree.Element]:
    """The table's own rows (a nested table's rows are its cell's text), content controls opened."""
    for element in table:
        name = _local(element.tag)
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


def _extract(package: _Package) -> tuple[str, list[Heading], list[tuple[int, int]]]:
    name = _document_part(package)
    document = package.read(name)
    if document is None:
        raise SkippedFile(f"not a Word document: the archive has no {name}")
    folder = posixpath.dirname(name)
    styles = _Styles(package.read(posixpath.join(folder, "styles.xml")))
    numbering = _Numbering(package.read(posixpath.join(folder, "numbering.xml")))
    body = _child(document, "body")
    pieces: list[str] = []
    headings: list[Heading] = []
    code: list[tuple[int, int]] = []
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
        pieces.append(text)
        size += len(text)
        previous = paragraph
    text = "".join(pieces)
    return text, headings, [trim_span(text, s, e) for s, e in code]


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
            text, headings, code = _extract(_Package(archive, len(data)))
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
    return LoadedFile(SourceDoc(doc, text, sha256_bytes(data), "note"), "docx", tuple(headings), code=tuple(code))
