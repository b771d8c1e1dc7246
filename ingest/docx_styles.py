"""Word's styles and numbering (styles.xml, numbering.xml), read along `basedOn` chains: which paragraph style
is a heading, a list or code, which paragraph or character style hides its text, and how each list level is marked. The
small XML helpers name elements without their namespace (Word's transitional and strict schemas name them alike).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

_HEADING_NAME = re.compile(r"heading\s*([1-9])", re.IGNORECASE)
_NESTED_LIST_NAME = re.compile(r"list\s*(?:bullet|number)\s*([2-9])", re.IGNORECASE)
_CODE_NAME = re.compile(r"code|preformatted|verbatim|macro text|source|listing", re.IGNORECASE)


def local(tag: object) -> str:
    """An element's name without its namespace (Word's transitional and strict schemas name them alike)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def attr(element: ElementTree.Element | None, name: str) -> str | None:
    if element is None:
        return None
    return next((value for key, value in element.attrib.items() if local(key) == name), None)


def child(element: ElementTree.Element | None, *path: str) -> ElementTree.Element | None:
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if local(c.tag) == name), None)
    return element


def is_on(toggle: ElementTree.Element | None) -> bool:
    """Whether a toggle property (`<w:vanish/>`) is set: present, and not `w:val="0"`, "false" or "off"."""
    return toggle is not None and (attr(toggle, "val") or "true").lower() not in ("0", "false", "off")


@dataclass(frozen=True)
class Style:
    name: str
    based_on: str | None
    outline: int | None  # 0-based outline level, as Word stores it
    num_id: str | None  # the list a paragraph of this style is an item of
    hidden: bool | None = None  # Font > Hidden set (True) or cleared (False) in the style; None: it does not say


class Styles:
    """Paragraph styles by id, and which paragraph and character styles hide their text, resolved along `basedOn`
    (a cycle or a chain over 20 deep ends the walk)."""

    def __init__(self, root: ElementTree.Element | None) -> None:
        self.styles: dict[str, Style] = {}
        self.default: str | None = None  # the paragraph style of a paragraph that names none ("Normal")
        # character styles: (whether its runs are hidden, None when it does not say, the style it is based on)
        self.characters: dict[str, tuple[bool | None, str | None]] = {}
        for style in root if root is not None else ():
            # a style without children names nothing its id does not (`chain`): passed over, as padding is
            if not len(style) or local(style.tag) != "style":
                continue
            if attr(style, "type") == "character":
                vanish = child(style, "rPr", "vanish")
                self.characters[attr(style, "styleId") or ""] = (
                    None if vanish is None else is_on(vanish),
                    attr(child(style, "basedOn"), "val"),
                )
            if attr(style, "type") not in (None, "paragraph"):
                continue
            outline = attr(child(style, "pPr", "outlineLvl"), "val")
            vanish = child(style, "rPr", "vanish")
            self.styles[attr(style, "styleId") or ""] = Style(
                (attr(child(style, "name"), "val") or "").strip(),
                attr(child(style, "basedOn"), "val"),
                int(outline) if outline and outline.isdigit() else None,
                attr(child(style, "pPr", "numPr", "numId"), "val"),
                None if vanish is None else is_on(vanish),
            )
            if (attr(style, "default") or "").lower() in ("1", "true", "on"):
                self.default = attr(style, "styleId")

    def chain(self, style_id: str | None) -> Iterator[tuple[str, Style | None]]:
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

    def hides(self, style_id: str | None) -> bool | None:
        """Whether runs of the character style `style_id` are hidden text, as it or a style it is based on says;
        None when none of them says (the paragraph's style decides: `paragraph_hides`)."""
        seen: set[str] = set()
        while style_id and style_id not in seen and len(seen) < 20:
            seen.add(style_id)
            hidden, style_id = self.characters.get(style_id, (None, None))
            if hidden is not None:
                return hidden
        return None

    def paragraph_hides(self, style_id: str | None) -> bool:
        """Whether the text of a paragraph of style `style_id` (None: the default style) is hidden: an "Answer key"
        style with Font > Hidden, or a style based on one, hides the whole paragraph unless a run says otherwise."""
        for _, style in self.chain(style_id or self.default):
            if style and style.hidden is not None:
                return style.hidden
        return False

    def is_code(self, style_id: str | None) -> bool:
        return any(_CODE_NAME.search(s.name if s and s.name else sid) for sid, s in self.chain(style_id))


class Numbering:
    """Each list's format per level (bullet or a number), from numbering.xml; a counter per list and level."""

    def __init__(self, root: ElementTree.Element | None) -> None:
        abstract: dict[str, dict[int, str]] = {}
        self.formats: dict[str, dict[int, str]] = {}
        children = [element for element in root if len(element)] if root is not None else []  # empty: no format
        for element in children:
            if local(element.tag) == "abstractNum":
                levels = abstract.setdefault(attr(element, "abstractNumId") or "", {})
                for lvl in element:
                    ilvl = attr(lvl, "ilvl")
                    if local(lvl.tag) == "lvl" and ilvl and ilvl.isdigit():
                        levels[int(ilvl)] = attr(child(lvl, "numFmt"), "val") or "bullet"
        for element in children:
            if local(element.tag) == "num":
                self.formats[attr(element, "numId") or ""] = abstract.get(
                    attr(child(element, "abstractNumId"), "val") or "", {}
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
