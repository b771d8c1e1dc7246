"""A PDF's outline (bookmarks) as headings over its extracted text.

An outline entry names a page; its title is looked for on that page (whitespace-insensitive, since
extraction re-flows lines). Entries whose title is not found are dropped: a heading must be a span of
the text. Without a usable outline the PDF's pages are its sections.
"""

from __future__ import annotations

import re
from typing import Any

from ingest.loaders import Heading
from ingest.pdf_text import normalize


def _flatten(outline: Any, level: int = 1) -> list[tuple[int, Any]]:
    out: list[tuple[int, Any]] = []
    for item in outline or []:
        if isinstance(item, list):
            out.extend(_flatten(item, level + 1))
        else:
            out.append((level, item))
    return out


def outline_headings(reader: Any, text: str, pages: list[tuple[int, int]]) -> tuple[Heading, ...]:
    """Headings for the outline entries found on their page, in text order; () when there are none."""
    try:
        entries = _flatten(reader.outline)
    except Exception:  # noqa: BLE001 - a broken outline only means we fall back to pages
        return ()
    headings: list[Heading] = []
    for level, item in entries:
        try:
            page = reader.get_destination_page_number(item)
            title = normalize(str(item.title or "")).strip()  # as the text is: "ﬁ" is "fi" there
        except Exception:  # noqa: BLE001 - one bad entry must not cost the others
            continue
        if not title or not 0 <= page < len(pages):
            continue
        pattern = r"\s+".join(re.escape(word) for word in title.split())
        start = max(pages[page][0], headings[-1].end if headings else 0)
        match = re.compile(pattern).search(text, start, pages[page][1])
        if match:
            headings.append(Heading(level, " ".join(title.split()), match.start(), match.end()))
    return tuple(headings)
