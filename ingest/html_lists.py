"""How a browser numbers an HTML list's items: `start`, `reversed`, `<li value>` and the `type` styles (1, a, A, i,
I), for the HTML loader (`ingest.html`), kept apart so that module stays one job: reading the page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4 import Tag


@dataclass
class _OpenList:
    """An open <ul>/<ol> on the walk: whether its items are numbered, the next item's number, +1 or -1 a step,
    and how a number is written (`type`: "1", "a", "A", "i" or "I")."""

    ordered: bool
    next: int = 1
    step: int = 1
    type: str = "1"


_HTML_INTEGER = re.compile(r"\s*([-+]?\d+)")  # HTML's integer attributes: "3", " 3", "3rd" are 3; "three" none
# an <ol>'s or <li>'s `type`: decimal, lower-alpha, upper-alpha, lower-roman, upper-roman (HTML's rendering rules)
_LIST_TYPES = frozenset({"1", "a", "A", "i", "I"})
_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"),
    (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def _html_integer(value: object) -> int | None:
    """An integer attribute (`start`, `value`) as a browser reads it; None when it holds none."""
    match = _HTML_INTEGER.match(value) if isinstance(value, str) else None
    # past 32 bits a browser ignores it; the digits are counted first, as 5,000 of them would not even parse
    # (Python's int digit limit)
    if not match or len(match.group(1)) > 11:
        return None
    number = int(match.group(1))
    return number if -(2**31) <= number < 2**31 else None


def _open_list(tag: Tag) -> _OpenList:
    """How a list's items are numbered, as a browser shows them: an <ol> from its `start` (1 by default), down
    from it when `reversed` (from its number of items by default), written as its `type` says."""
    if tag.name.lower() != "ol":
        return _OpenList(ordered=False)
    step = -1 if tag.has_attr("reversed") else 1
    start = _html_integer(tag.get("start"))
    if start is None:
        start = len(tag.find_all("li", recursive=False)) if step < 0 else 1
    return _OpenList(ordered=True, next=start, step=step, type=_list_type(tag, "1"))


def _list_type(tag: Tag, default: str) -> str:
    """The numbering an <ol>'s or <li>'s `type` asks for, `default` without one it knows. HTML matches it case
    by case (`ol[type="a" s]`): "a" and "A" are two styles."""
    kind = tag.get("type")
    return kind if isinstance(kind, str) and kind in _LIST_TYPES else default


def _item_marker(number: int, kind: str) -> str:
    """An ordered item's number as a browser writes it in the style `kind` (CSS's counter styles): "a" lower-alpha
    (1 a, 26 z, 27 aa), "A" upper-alpha, "i" lower-roman (4 iv), "I" upper-roman, "1" decimal. A number the style
    cannot write is decimal, as CSS falls back: alphabetic below 1, roman below 1 or above 3999."""
    if kind in ("a", "A") and number >= 1:
        letters = ""
        while number:
            number, digit = divmod(number - 1, 26)
            letters = chr(ord("a") + digit) + letters
        return letters if kind == "a" else letters.upper()
    if kind in ("i", "I") and 1 <= number <= 3999:
        roman = ""
        for value, numeral in _ROMAN:
            count, number = divmod(number, value)
            roman += numeral * count
        return roman.lower() if kind == "i" else roman
    return str(number)


def _item_number(open_list: _OpenList, item: Tag) -> int:
    """An ordered item's number: its own `value` when it has one, else the list's next; the next item counts on."""
    number = _html_integer(item.get("value"))
    number = open_list.next if number is None else number
    open_list.next = number + open_list.step
    return number
