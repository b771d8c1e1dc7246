"""Headings of the markup formats people keep notes in: Markdown, reStructuredText and Org-mode.

Each rule reads the text as it is on disk and returns `Heading`s (spans of the heading's own lines) plus
context spans (front matter, directive lines, `#+TITLE:` lines: there to describe, never to quote).
Nothing is rewritten: a heading's title is cleaned for breadcrumbs, but its span is the source line(s).
Obsidian `[[wikilinks]]` and `#tags` in a sentence stay as text (a tag has no space after `#`, so it is no
heading). What labels or links rather than says is context (`note_marks`): a line of links and tags alone
("Related: [[Bootstrap]] #statistics"), tags, footnote references or a block id trailing a line, a line of
HTML tags or a `<summary>`, a footnote's `[^1]:` label, a callout's `> [!note] Title` line, a table's
header and `|---|` rows, a task's `[ ]` box, and an Obsidian `%% comment %%` (hidden when the note is read).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ingest.code_blocks import markdown_code
from ingest.lines import front_matter_end
from ingest.loaders import Heading
from ingest.sections import Line, Span, line_span, split_lines, trim_span

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*(?:[ \t]#+[ \t]*)?$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_LIST_OR_QUOTE = re.compile(r"^\s*([-*+>]|\d+[.)])(\s|$)")
_RST_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1{2,}\s*$")  # one punctuation character, repeated
_RST_EXPLICIT = re.compile(r"^\.\.(\s|$)")
_RST_DIRECTIVE = re.compile(r"^\.\.[ \t]+([\w-]+)::")
# directives whose argument on the directive line is already what the note says (`.. note:: Keep backups.`):
# only the `.. note::` marker is context. Other directives' arguments name things (a file, a language, a title)
RST_SAYING_DIRECTIVES = frozenset(
    {"attention", "caution", "danger", "error", "hint", "important", "note", "seealso", "tip", "todo", "warning"}
    | {"versionadded", "versionchanged", "versionremoved", "deprecated"}
)
_ORG_HEADING = re.compile(r"^(\*+)[ \t]+(.*?)[ \t]*(:[\w@#%:]+:)?[ \t]*$")
_ORG_KEYWORD = re.compile(r"^#\+(\w+):[ \t]*(.*)$")
_ORG_PLANNING = re.compile(r"^(SCHEDULED|DEADLINE|CLOSED):")  # a heading's dates: "DEADLINE: <2025-01-01>"
_ORG_DRAWER = re.compile(r"^:([\w-]+):$")  # ":PROPERTIES:", ":LOGBOOK:" ... up to ":END:"
# a heading's TODO keyword (Org's defaults, the common NEXT/WAITING/CANCELLED ... and those `#+TODO:` declares),
# priority cookie "[#A]" and progress cookies "[2/5]" "[40%]": workflow marks, not the heading's words
ORG_TODO_KEYWORDS = frozenset({"TODO", "DONE", "NEXT", "WAITING", "WAIT", "HOLD", "CANCELLED", "CANCELED", "SOMEDAY"})
_ORG_COOKIE = re.compile(r"(?:^|[ \t])\[(?:#[A-Za-z0-9]|\d*/\d*|\d*%)\](?=[ \t]|$)")
_ORG_FOOTNOTE_LABEL = re.compile(r"^(\[fn:[\w-]+\])[ \t]")
_ORG_TRAILING_REFS = re.compile(r"(?:[ \t]*\[fn:[\w-]+\])+[ \t]*$")
_ORG_TODO_DECLARATION = frozenset({"TODO", "SEQ_TODO", "TYP_TODO"})
_ORG_LINK = re.compile(r"\[\[[^\]\n]*\]\[([^\]\n]*)\]\]")  # [[https://...][Attention Is All You Need]]
_INLINE_MARKUP = re.compile(r"[*_`]+|\[\[([^\]|]*\|)?|\]\]|:\w+:`")
# Obsidian: a tag is "#" then letters, digits, "_", "-" or "/", not all digits ("#1" is no tag), after a space
_TAG = r"(?<![^\s(])#(?=[\w/-]*[^\W\d_])[\w/-]+"
_LINK = r"!?\[\[[^\]\n]*\]\]|!?\[[^\]\n]*\]\([^)\n]*\)"  # [[wikilink]], ![[embed]], [text](url), ![img](src)
_LINKS_AND_TAGS = re.compile(rf"{_LINK}|{_TAG}")
# what may trail a line's words in Obsidian: tags, footnote references ("lambda.[^1]"), a block id (" ^poisson-def")
_REF = r"[ \t]*\[\^[^\]\s]+\]|[ \t]+\^[\w-]+"  # a footnote reference "[^1]", a block id " ^poisson-def"
_TRAILING_MARKS = re.compile(rf"(?:{_REF}|[ \t]+{_TAG})+[ \t]*$")
_TRAILING_REFS = re.compile(rf"(?:{_REF})+[ \t]*$")
# a line of HTML tags alone ("</details>", "<div align=center>"), or one naming what folds below it: a label
_HTML_TAGS_ONLY = re.compile(r"^[ \t]*(?:</?[A-Za-z][\w-]*(?:[ \t][^<>\n]*)?/?>[ \t]*)+$")
_HTML_SUMMARY = re.compile(r"^[ \t]*(?:<[^<>\n]+>[ \t]*)*<summary>[^<>\n]*</summary>[ \t]*$", re.IGNORECASE)
_TAG_IN = re.compile(rf"[ \t]{_TAG}")
_LAST_WORD = re.compile(r"(\w+)$")
# words a phrase cannot end on: a tag after one is its word ("used throughout #nlp"), else a label ("Priors #bayes")
_LEADS_ON_WORDS = (
    "a an the of in on at to for from with by about into onto via throughout across within without through during"
    " under over between among like than as using and or nor is are was were be been being its their our your my"
    " his her this that these those per vs"
)
_LEADS_ON = frozenset(_LEADS_ON_WORDS.split())
_FOOTNOTE_LABEL = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:")  # "[^1]: The footnote's text" (the text is content)
_OBSIDIAN_COMMENT = re.compile(r"%%.*?%%", re.DOTALL)  # hidden in Obsidian's reading view: read, never quoted
# an inline code span: a backtick run up to the next run of the same length, within a paragraph (no blank line)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)
_ORG_TABLE_RULE = re.compile(r"^[ \t]*\|[-+:| \t]*-[-+:| \t]*$")  # "|-----+----|"
# the words a line of links may carry besides them ("Related: [[A]], [[B]]", "See also [[A]] and [[B]]")
_LINK_LABEL_WORDS = (
    "related see also tags tag links link and or up topics topic parent moc source sources backlinks references"
)
_LINK_LABELS = frozenset(_LINK_LABEL_WORDS.split())
_CALLOUT = re.compile(r"^ {0,3}(?:>[ \t]?)+\[![\w-]+\][+-]?(?:[ \t].*)?$")  # "> [!note] Title", "> [!tip]-"
_CALLOUT_MARKER = re.compile(r"^ {0,3}(?:>[ \t]?)+\[![\w-]+\][+-]?")
_QUOTED_TEXT = re.compile(r"^ {0,3}>[ \t>]*\S")  # a blockquote line with text: a callout's body
_QUOTE_PREFIX = re.compile(r"^ {0,3}(?:>[ \t]?)+")  # "> ", ">> ": a blockquote's or a callout's line
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_TASK_BOX = re.compile(r"^[ \t]*(?:>[ \t]?)*(?:[-*+]|\d+[.)])[ \t]+(\[[ xX/-]\])(?=[ \t])")


@dataclass(frozen=True)
class Markup:
    """What a markup rule found: headings in order, context spans, and a declared title if any."""

    headings: tuple[Heading, ...]
    context: tuple[Span, ...] = ()
    title: str | None = None


def clean_title(raw: str) -> str:
    """A heading's words for breadcrumbs: emphasis, backticks and wikilink brackets dropped; an Org link
    `[[url][description]]` reads as its description."""
    return " ".join(_INLINE_MARKUP.sub("", _ORG_LINK.sub(r"\1", raw)).split())


def _front_title(text: str, lines: list[Line], end: int) -> str | None:
    for line in lines[1 : end - 1]:
        match = re.match(r"^title\s*[:=]\s*(.+)$", line.text)
        if match:
            return match.group(1).strip().strip("\"'") or None
    return None


def _links_only(line: str) -> bool:
    """A line of links and tags with at most a label ("Related:", "See also ... and ..."): it links, says nothing."""
    rest, found = _LINKS_AND_TAGS.subn(" ", line)
    words = re.findall(r"[^\W_]+", rest.lower())
    return found > 0 and all(w in _LINK_LABELS for w in words)


def note_marks(text: str, lines: list[Line], i: int) -> list[Span]:
    """Context spans of line i of a Markdown note: what labels, links or ticks rather than says (see module
    docstring). A table's header row is taken with the `|---|` rule under it."""
    line = lines[i]
    raw = text[line.start : line.end]
    if not line.text:
        return []
    if _CALLOUT.match(raw):
        below = lines[i + 1] if i + 1 < len(lines) else None
        if below is not None and _QUOTED_TEXT.match(text[below.start : below.end]):
            return [line_span(text, line)]  # the title names the body under it, as a heading does
        marker = _CALLOUT_MARKER.match(raw)  # title alone ("> [!warning] Never rebase shared branches."): it says
        return [trim_span(text, line.start, line.start + marker.end())] if marker else []
    if _HTML_TAGS_ONLY.match(raw) or _HTML_SUMMARY.match(raw):
        return [line_span(text, line)]
    if _links_only(raw.lstrip(" \t>-*+")) and _own_line(text, lines, i):
        return [line_span(text, line)]
    if _table_rule(text, lines, i):
        above = lines[i - 1] if i > 0 else None
        start = line_span(text, above)[0] if above is not None and "|" in above.text else line_span(text, line)[0]
        return [(start, line_span(text, line)[1])]  # the header row names the columns: a label, as a heading is
    marks: list[Span] = []
    if box := _TASK_BOX.match(raw):
        marks.append((line.start + box.start(1), line.start + box.end(1)))
    if label := _FOOTNOTE_LABEL.match(raw):
        marks.append((line.start + label.start() + len(raw) - len(raw.lstrip()), line.start + label.end()))
    if (at := trailing_marks(raw)) < len(raw):
        marks.append(trim_span(text, line.start + at, line.end))
    return marks


def trailing_marks(raw: str) -> int:
    """Where the marks trailing a line's or a heading's words begin (`len(raw)`: none); the one rule for both.
    Footnote references and block ids always; tags unless the words before them lead on to them (`_LEADS_ON`):
    "used in #nlp" ends on a tag it says, "... the interval. #rule-of-thumb" and "## Priors #bayes" are tagged."""
    found = _TRAILING_MARKS.search(raw)
    if found is None:
        return len(raw)
    last = _LAST_WORD.search(raw[: found.start()].rstrip())
    if _TAG_IN.search(found.group()) is None or last is None or last.group(1).lower() not in _LEADS_ON:
        return found.start()
    refs = _TRAILING_REFS.search(raw)  # the tags read as words: only the references after them are marks
    return refs.start() if refs else len(raw)


def _own_line(text: str, lines: list[Line], i: int) -> bool:
    """Line i stands alone: a list item, or a line after a blank, a heading or another line of links (a link
    wrapped onto a line of its own ends the sentence above it: "as defined in the\n[proposal](url)."). A line
    of an Obsidian `%% comment %%` alone is not shown: line i stands alone when the comment's line does."""
    if _LIST_OR_QUOTE.match(text[lines[i].start : lines[i].end]):
        return True
    while i > 0 and lines[i - 1].text:  # up through comment lines (a loop: 5,000 of them are no 5,000 frames)
        above = text[lines[i - 1].start : lines[i - 1].end]
        if not _OBSIDIAN_COMMENT.fullmatch(above.strip()):
            return bool(_ATX.match(above)) or _links_only(above.lstrip(" \t>-*+"))
        i -= 1
        if _LIST_OR_QUOTE.match(text[lines[i].start : lines[i].end]):
            return True
    return True


def _table_rule(text: str, lines: list[Line], i: int) -> bool:
    """Line i is a table's `| --- | :-: |` rule (a `---` without a pipe is a setext underline or a break), in a
    blockquote or a callout too (`> |---|---|`)."""
    raw = _QUOTE_PREFIX.sub("", text[lines[i].start : lines[i].end], count=1)
    return "|" in raw and "-" in raw and _TABLE_RULE.match(raw) is not None


def markdown_markup(text: str) -> Markup:
    """ATX (`# Title`) and setext (`Title` over `===`/`---`) headings outside fenced code; front matter; what
    labels rather than says (`note_marks`)."""
    lines = split_lines(text)
    skip = front_matter_end(lines)
    context: list[Span] = []
    title = None
    if skip:
        context.append((lines[0].start, lines[skip - 1].end))
        title = _front_title(text, lines, skip)
    headings: list[Heading] = []
    fences = markdown_code(text, indented=False)  # the one fence rule (ingest.code_blocks): no heading inside
    fence_starts = [s for s, _ in fences]
    context.extend(obsidian_comments(text, lines[skip].start if skip < len(lines) else len(text), fences))
    for i in range(skip, len(lines)):
        line = lines[i]
        raw = text[line.start : line.end]
        at = bisect_right(fence_starts, line.end) - 1  # the last fence starting on or before this line
        if at >= 0 and line.start < fences[at][1]:
            continue
        context.extend(note_marks(text, lines, i))
        atx = _ATX.match(raw)
        words = (atx.group(2) or "") if atx else ""
        name = clean_title(words[: trailing_marks(words)])
        if atx and name:  # "## Bootstrap #resampling ^b1": the tag and block id are no part of the title
            headings.append(Heading(len(atx.group(1)), name, *line_span(text, line)))
            continue
        below = lines[i + 1] if i + 1 < len(lines) else None
        if below is None or not line.text or not _SETEXT.match(text[below.start : below.end]):
            continue
        prev_blank = i == skip or not lines[i - 1].text or (headings and headings[-1].end >= lines[i - 1].start)
        if prev_blank and not _LIST_OR_QUOTE.match(raw) and not raw.startswith(("    ", "\t")):
            level = 1 if below.text.startswith("=") else 2
            headings.append(Heading(level, clean_title(line.text), line_span(text, line)[0], line_span(text, below)[1]))
    return Markup(_drop_overlaps(headings), tuple(context), title)


def obsidian_comments(text: str, start: int, fences: list[Span]) -> list[Span]:
    """`%% comment %%` spans from `start`, both `%%` outside code: sought between fences only (none runs into a
    fence) with inline code masked, so naming the `%%timeit` and `%%bash` magics or printf's `%%` hides nothing."""
    out: list[Span] = []
    bounds = [(s, e) for s, e in fences if e > start]
    for a, b in zip([start, *(e for _, e in bounds)], [*(s for s, _ in bounds), len(text)], strict=True):
        masked = _CODE_SPAN.sub(lambda m: " " * len(m.group()), text[a:b])
        out.extend((a + m.start(), a + m.end()) for m in _OBSIDIAN_COMMENT.finditer(masked))
    return out


def _drop_overlaps(headings: list[Heading]) -> tuple[Heading, ...]:
    out: list[Heading] = []
    for h in headings:
        if not out or h.start >= out[-1].end:
            out.append(h)
    return tuple(out)


def rst_markup(text: str) -> Markup:
    """Section titles underlined (and optionally overlined) with one repeated punctuation character.

    Levels follow the order in which title styles first appear, as docutils assigns them. Explicit markup
    lines (`.. _label:`, `.. index::` and its entries, `.. image:: path`) are context: they name, not say.
    An admonition says (`RST_SAYING_DIRECTIVES`): its marker is context, the text after it and its indented
    body are content.
    """
    lines = split_lines(text)
    styles: list[tuple[str, bool]] = []
    headings: list[Heading] = []
    context: list[Span] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        raw = text[line.start : line.end]
        if _RST_EXPLICIT.match(raw):
            j = i + 1
            if raw.startswith((".. index::", ".. _", ".. sectionauthor::", ".. highlight::")):
                while j < len(lines) and (not lines[j].text or text[lines[j].start] in " \t"):
                    j += 1  # the directive's indented entries
                while j > i + 1 and not lines[j - 1].text:
                    j -= 1
            directive = _RST_DIRECTIVE.match(raw)
            if directive and directive.group(1).lower() in RST_SAYING_DIRECTIVES and raw[directive.end() :].strip():
                context.append((line.start, line.start + directive.end()))  # the argument is content
            elif j == i + 1:
                context.append(line_span(text, line))
            else:
                context.append((line_span(text, line)[0], lines[j - 1].end))
            i = j
            continue
        found = _rst_title(text, lines, i)
        if found is None:
            i += 1
            continue
        title_line, last, style = found
        if style not in styles:
            styles.append(style)
        start = line_span(text, lines[i])[0]
        headings.append(Heading(styles.index(style) + 1, clean_title(lines[title_line].text), start, lines[last].end))
        i = last + 1
    return Markup(tuple(headings), tuple(context))


def _rst_title(text: str, lines: list[Line], i: int) -> tuple[int, int, tuple[str, bool]] | None:
    """(title line, last adornment line, style) when a title starts at line i."""

    def adornment(k: int) -> str | None:
        if k >= len(lines):
            return None
        match = _RST_ADORNMENT.match(text[lines[k].start : lines[k].end])
        return match.group(1) if match else None

    def is_title_text(k: int) -> bool:
        return k < len(lines) and bool(lines[k].text) and adornment(k) is None

    over = adornment(i)
    overlined = over and i + 2 < len(lines) and is_title_text(i + 1) and adornment(i + 2) == over
    if overlined and len(lines[i + 2].text) >= len(lines[i + 1].text) and (i == 0 or not lines[i - 1].text):
        return i + 1, i + 2, (over, True)
    if over or not is_title_text(i) or text[lines[i].start] in " \t":
        return None
    under = adornment(i + 1)
    if under is None or len(lines[i + 1].text) < min(len(lines[i].text), 4):
        return None
    if i > 0 and lines[i - 1].text and adornment(i - 1) is None:
        return None  # a paragraph's last line, not a title
    return i, i + 1, (under, False)


def _org_keywords(text: str) -> frozenset[str]:
    """TODO keywords: Org's defaults and common ones, plus each word a `#+TODO:` line declares ("| DONE" too)."""
    declared = {
        word.split("(")[0]
        for keyword in re.finditer(r"^[ \t]*#\+(\w+):(.*)$", text, re.MULTILINE)
        if keyword.group(1).upper() in _ORG_TODO_DECLARATION
        for word in keyword.group(2).split()
        if word != "|"
    }
    return ORG_TODO_KEYWORDS | declared


def org_title(raw: str, keywords: frozenset[str]) -> str:
    """A heading's words: its TODO keyword, priority and progress cookies dropped ("TODO [#A] Call Bob [1/3]")."""
    words = raw.split(None, 1)
    if len(words) == 2 and words[0] in keywords:
        raw = words[1]
    return clean_title(_ORG_COOKIE.sub(" ", raw))


def org_markup(text: str) -> Markup:
    """`*` headings (level = number of stars, tags, TODO keywords and cookies dropped); `#+TITLE:` and other
    keywords, `#+BEGIN_QUOTE`-type lines, a table's header and `|---+---|` rule, planning lines
    (SCHEDULED/DEADLINE/CLOSED), drawers (`:PROPERTIES:` ... `:END:`), a list item's `[ ]` box, a footnote's
    `[fn:1]` label and trailing `[fn:1]` references are context."""
    headings: list[Heading] = []
    context: list[Span] = []
    title = None
    in_block = False
    keywords = _org_keywords(text)
    drawer: Span | None = None  # the open drawer's first line
    headed = False  # the table the walk is in has its header: a later rule's row above it is a body row
    lines = split_lines(text)
    for i, line in enumerate(lines):
        raw = text[line.start : line.end]
        upper = line.text.upper()
        headed = headed and line.text.startswith("|")
        if _ORG_TABLE_RULE.match(raw):  # "|---+---|": with the header row above the first, a label (`note_marks`)
            header = not headed and i > 0 and lines[i - 1].text.startswith("|")
            context.append((line_span(text, lines[i - 1] if header else line)[0], line_span(text, line)[1]))
            headed = headed or header
            continue
        if upper.startswith(("#+BEGIN_", "#+END_")):
            context.append(line_span(text, line))  # a block's markers ("#+BEGIN_QUOTE") name it; code is code
        if upper.startswith("#+BEGIN_"):
            in_block = True
        elif upper.startswith("#+END_"):
            in_block = False
            continue
        if in_block:
            continue
        if box := _TASK_BOX.match(raw):
            context.append((line.start + box.start(1), line.start + box.end(1)))
        if label := _ORG_FOOTNOTE_LABEL.match(raw):  # "[fn:1] The footnote's text": the text is content
            context.append((line.start + label.start(1), line.start + label.end(1)))
        if ref := _ORG_TRAILING_REFS.search(raw):  # "... as Pearl showed.[fn:2]"
            context.append(trim_span(text, line.start + ref.start(), line.end))
        if drawer is not None and line.text.upper() == ":END:":
            context.append((drawer[0], line_span(text, line)[1]))
            drawer = None
            continue
        opens = _ORG_DRAWER.match(line.text)
        if drawer is None and opens and opens.group(1).upper() != "END":
            drawer = line_span(text, line)
            continue
        if _ORG_PLANNING.match(line.text):
            context.append(line_span(text, line))
            continue
        keyword = _ORG_KEYWORD.match(line.text)
        if keyword:
            context.append(line_span(text, line))
            if keyword.group(1).upper() == "TITLE" and keyword.group(2).strip():
                title = keyword.group(2).strip()
            continue
        match = _ORG_HEADING.match(raw)
        if match and clean_title(match.group(2)):
            drawer = None  # a drawer never spans a heading
            name = match.group(2)
            headings.append(Heading(len(match.group(1)), org_title(name, keywords) or name, *line_span(text, line)))
    return Markup(tuple(headings), tuple(context), title)


MARKUP_RULES = {"markdown": markdown_markup, "rst": rst_markup, "org": org_markup}
