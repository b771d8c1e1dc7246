"""A table row quoted as a sentence: "Optimizer: Adam; lr: 1e-3; notes: adaptive moments".

Markdown, Org and plain-text notes write a row between pipes ("| Adam | 1e-3 | adaptive moments |"); the HTML
and Word loaders make each row one line with " | " between its cells (`ingest.html`, `ingest.docx`). Quoted as
written, an answer showed the pipes, a ". " inside a cell cut the row in two, and a short row ("| SGD | 1e-2 |",
under the quoting writer's minimum sentence length) was never quoted, so "what learning rate does SGD use?" over
a comparison table abstained or quoted something else. Here a row is one candidate, cited as the source row as
written (the HTML and Word loaders say which lines are rows, `Hit.row_spans`, so prose with a "|" such as "Run
ls | wc -l" is none, and which "|" stand between cells, `Hit.cell_break_spans`, so a cell "ls | wc -l" stays one
cell; Markdown's, Org's and plain text's rows are read from their pipes); what the answer shows is
its reading (`TableLine.reading`): each cell after its column's header where the passage holds the header row
(a context span: Markdown's and Org's row above the rule, an HTML row of `<th>`, a Word row repeated as header),
else the cells joined by "; " (two as "term: what it says"). A rule row (`|---|`, `|---+---|`, `+---+`) is never
quoted.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.text import CLAUSE_END
from retrieval.retriever import Hit
from retrieval.terms import TermRarity, key_stems
from service.latex_quotes import is_latex

# a rule row: dashes (or "=" under a grid table's header) between pipes or pluses, with alignment colons
RULE = re.compile(r"^[ \t]*[|+]?(?:[ \t]*:?[-=]+:?[ \t]*[|+])+(?:[ \t]*:?[-=]+:?[ \t]*)?$")
# a code span or an Obsidian link: a "|" inside one separates no cells ("[[Note|alias]]" unescaped in a table)
UNSPLIT = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)|!?\[\[[^\[\]\n]*\]\]")
SEPARATOR = re.compile(r"(?<!\\)\|")  # Markdown writes a "|" inside a cell as "\|"
# a table inside a blockquote or an Obsidian callout: "> | x | y |" is the row "| x | y |"
QUOTED_ROW = re.compile(r"^(?:>[ \t]?)+(?=[ \t]*\|)")
# the loaders that write a row as cells joined by " | ", without pipes at its edges (`ingest.html`, `ingest.docx`):
# an index built before they marked their rows (`Hit.row_spans` None) has its rows guessed from the text, and one
# built before they marked the "|" between cells (`Hit.cell_break_spans` None) its cells
JOINED_ROW_SUFFIXES = (".html", ".htm", ".docx")
# a cell boundary in a line the loaders joined: a "|" with a space or the line's edge on either side
JOINED_SEPARATOR = re.compile(r"(?:^|(?<= ))\|(?= |$)")
# where the name a row's subject opens with ends: "Adam (Kingma, 2014)", "Adam: adaptive moments", "Adam, 2014"
HEAD_END = re.compile(r"[(\[:;,]|\s[-\u2013\u2014]\s")
Span = tuple[int, int]


@dataclass(frozen=True)
class TableLine:
    """A line of a table in a passage's text, [start, end) in it: a row with its `reading`, or a rule or
    header row (`reading` None), which is never quoted. A row's `subject` is what it is about, its first filled
    cell ("Adam" in "| Adam | 1e-3 |"), read by the rule that split it into cells."""

    start: int
    end: int
    reading: str | None
    subject: str = ""


def cells(line: str) -> list[str]:
    """A row's cells, trimmed, its edge pipes dropped; a "|" in a code span or a link, or written "\\|", stays in
    its cell.

    >>> cells("| Adam | `a|b` | x \\\\| y | [[Note|alias]] |")
    ['Adam', '`a|b`', 'x | y', '[[Note|alias]]']
    >>> cells("Binomial | Beta")
    ['Binomial', 'Beta']
    """
    masked = UNSPLIT.sub(lambda m: "\x00" * len(m.group(0)), line)
    bounds, at = [], 0
    for separator in SEPARATOR.finditer(masked):
        bounds.append((at, separator.start()))
        at = separator.end()
    bounds.append((at, len(line)))
    found = [line[s:e].strip().replace("\\|", "|") for s, e in bounds]
    if line.strip().startswith("|"):
        found = found[1:]
    if line.strip().endswith("|") and len(line.strip()) > 1:
        found = found[:-1]
    return found


def joined_cells(line: str) -> list[str]:
    """The cells of a row the HTML or Word loader joined with " | " (an empty cell too, at an edge or between);
    a "|" inside a cell's words ("P(A|B)") stays.

    >>> joined_cells("Kernel | P(A|B)"), joined_cells("| b"), joined_cells("a | | c")
    (['Kernel', 'P(A|B)'], ['', 'b'], ['a', '', 'c'])
    """
    bounds, at = [], 0
    for separator in JOINED_SEPARATOR.finditer(line):
        bounds.append((at, separator.start()))
        at = separator.end()
    bounds.append((at, len(line)))
    return [line[s:e].strip() for s, e in bounds]


def loader_row(line: str) -> bool:
    """Whether an HTML or Word note's line is written as the loaders write a table row: each "|" outside code
    stands between spaces (" | ", or at the line's edge where the edge cell is empty) and none lies inside
    parentheses. Prose in a paragraph writes "P(A|B) = P(B|A) P(A)" or "|x|": read as a row, the answer said
    "P(A; B) = ...", another formula.

    >>> loader_row("Kernel | Formula"), loader_row("| b"), loader_row("P(A|B) = x"), loader_row("f(a | b) = c")
    (True, True, False, False)
    """
    masked = UNSPLIT.sub(lambda m: "\x00" * len(m.group(0)), line)
    for separator in SEPARATOR.finditer(masked):
        at = separator.start()
        if (at > 0 and masked[at - 1] != " ") or (at + 1 < len(masked) and masked[at + 1] != " "):
            return False
        if masked.count("(", 0, at) > masked.count(")", 0, at):
            return False
    return True


def reading(row: Sequence[str], header: Sequence[str] | None) -> str:
    """A row's cells as one sentence: "lr: 1e-3" after a header cell, a cell alone where its header is empty;
    "; " between them (a space after a cell that ends with its own stop), empty cells left out. Without a header,
    a row of two cells reads as a term and what it says ("Overfitting: fits the noise"), as a glossary table
    does; any other row's cells are joined.

    >>> reading(["Adam", "1e-3", "adaptive moments"], ["Optimizer", "lr", "notes"])
    'Optimizer: Adam; lr: 1e-3; notes: adaptive moments'
    >>> reading(["Adam", "1e-3"], ["", "lr"]) + " | " + reading(["Binomial", "", "Beta."], None)
    'Adam; lr: 1e-3 | Binomial: Beta.'
    >>> reading(["What is bagging?", "bootstrap aggregating"], ["", ""]) + " | " + reading(["a", "b", "c"], None)
    'What is bagging? bootstrap aggregating | a; b; c'
    """
    if header is None or len(header) != len(row) or not any(header):
        header = [""] * len(row)
        filled = [cell for cell in row if cell]
        if len(filled) == 2 and not filled[0].endswith(CLAUSE_END):
            return f"{filled[0]}: {filled[1]}"
    out = ""
    for label, cell in zip(header, row, strict=True):
        if not cell:
            continue
        part = f"{label.rstrip(':')}: {cell}" if label else cell
        out += ("" if not out else " " if out.endswith(CLAUSE_END) else "; ") + part
    return out


def table_lines(
    text: str,
    doc: str,
    context: Sequence[Span] = (),
    code: Sequence[Span] = (),
    rows: Sequence[Span] | None = None,
    breaks: Sequence[Span] | None = None,
) -> list[TableLine]:
    """The table lines of `text` (a passage of the note `doc`); `context`, `code`, `rows` and `breaks`: its
    context and code spans, the rows its loader marked (None: it marks none) and the "|" it wrote between their
    cells (None: not marked), relative to `text`. Marked rows are the table lines (`marked_rows`). Otherwise a
    table is two or more lines in a row that hold a "|" outside code (a header and its rule, or rows; in a
    blockquote or a callout, after its "> "); its rows are the lines between pipes, every line but the rules
    below a Markdown rule (GitHub's tables may leave the edge pipes out), and in an HTML or Word note indexed
    before its loader marked rows, lines of " | "-joined cells that all have as many cells, no "|" of theirs
    inside parentheses (`loader_row`).
    A row's header is its table's first context line above it with as many cells."""
    if is_latex(doc):  # a tabular's column spec ("{l|r}") is a command, not a row
        return []
    if rows is not None:
        return marked_rows(text, rows, context, breaks)
    out: list[TableLine] = []
    block: list[Span] = []
    at = 0
    for line in [*text.splitlines(keepends=True), ""]:
        words = line.strip()
        start = at + len(line) - len(line.lstrip())
        if quoted := QUOTED_ROW.match(words):
            start += len(words) - len(words[quoted.end() :].lstrip())
            words = words[quoted.end() :].lstrip()
        end, at = start + len(words), at + len(line)
        if (
            words
            and not any(s < end and start < e for s, e in code)
            and ("|" in UNSPLIT.sub("", words) or RULE.match(words))
        ):
            block.append((start, end))
            continue
        if len(block) >= 2:
            out.extend(_table(text, doc, block, context))
        block = []
    return out


def _table(text: str, doc: str, block: Sequence[Span], context: Sequence[Span]) -> list[TableLine]:
    """The lines of one block of "|" lines (see `table_lines`): rows with their readings, rules and headers."""
    ruled = any(RULE.match(text[s:e]) for s, e in block)
    plain = [(s, e) for s, e in block if not RULE.match(text[s:e])]
    edged = all(text[s:e].startswith("|") and text[s:e].endswith("|") for s, e in plain)
    counts = {len(cells(text[s:e])) for s, e in plain}
    joined = (
        doc.lower().endswith(JOINED_ROW_SUFFIXES)
        and len(counts) == 1
        and min(counts) >= 2
        and all(loader_row(text[s:e]) for s, e in plain)
    )
    if not (ruled or edged or joined):
        return []
    out: list[TableLine] = []
    headers: list[list[str]] = []
    for s, e in block:
        line = text[s:e]
        if RULE.match(line):
            out.append(TableLine(s, e, None))
            continue
        if any(cs <= s and e <= ce for cs, ce in context):  # a header row, a label as a heading is
            headers.append(cells(line))
            out.append(TableLine(s, e, None))
            continue
        row = cells(line)
        # the table's header row: the first context row above with as many cells
        header = next((h for h in headers if len(h) == len(row)), None)
        out.append(TableLine(s, e, reading(row, header), next((cell for cell in row if cell), "")))
    return out


def marked_rows(
    text: str, rows: Sequence[Span], context: Sequence[Span], breaks: Sequence[Span] | None = None
) -> list[TableLine]:
    """The rows a loader marked (`Hit.row_spans`) that are whole lines of `text`, cut into cells at the "|" it
    marked between them (`breaks`; None, an older index: read as `joined_cells`): a header row (a context span)
    is never quoted, and a row's header is the first header row above it in its table (rows on consecutive
    lines) with as many cells."""
    cuts = None if breaks is None else sorted(s for s, _ in breaks)
    out: list[TableLine] = []
    headers: list[list[str]] = []
    previous = -2
    for s, e in sorted(set(rows)):
        if not (0 <= s < e <= len(text)) or text[s - 1 : s] not in ("", "\n") or text[e : e + 1] not in ("", "\n"):
            continue  # a row the passage cut: no line of its own here
        if s != previous + 1:
            headers = []  # another table
        previous = e
        row = joined_cells(text[s:e]) if cuts is None else cut_cells(text, s, e, cuts)
        if any(cs <= s and e <= ce for cs, ce in context):
            headers.append(row)
            out.append(TableLine(s, e, None))
            continue
        header = next((h for h in headers if len(h) == len(row)), None)
        out.append(TableLine(s, e, reading(row, header), next((cell for cell in row if cell), "")))
    return out


def cut_cells(text: str, start: int, end: int, cuts: Sequence[int]) -> list[str]:
    """The cells of the row `text[start:end]`, trimmed, cut at the offsets in `cuts` (sorted) that fall inside it.

    >>> cut_cells("x | ls | wc -l", 0, 14, [2])
    ['x', 'ls | wc -l']
    """
    bounds, at = [], start
    for cut in cuts[bisect.bisect_left(cuts, start) : bisect.bisect_left(cuts, end)]:
        bounds.append((at, cut))
        at = cut + 1
    bounds.append((at, end))
    return [text[s:e].strip() for s, e in bounds]


def hit_table_lines(hit: Hit) -> list[TableLine]:
    """`table_lines` of a retrieved passage, its context, code, row and cell-break spans made relative to its
    text."""

    def relative(spans: Sequence[Span] | None) -> list[Span] | None:
        return None if spans is None else [(s - hit.start, e - hit.start) for s, e in spans]

    context = [(s - hit.start, e - hit.start) for s, e in hit.context_spans]
    code = [(s - hit.start, e - hit.start) for s, e in hit.code_spans]
    return table_lines(hit.text, hit.doc, context, code, relative(hit.row_spans), relative(hit.cell_break_spans))


def table_row(hit: Hit, start: int, end: int) -> TableLine | None:
    """The table row at [start, end) of `hit.text`, None when that span is no row that reads."""
    return next((t for t in hit_table_lines(hit) if (t.start, t.end) == (start, end) and t.reading), None)


def subject_head(subject: str) -> str:
    """The name a row's subject opens with, before a parenthesis, a colon, a comma or a spaced dash.

    >>> subject_head("Adam (Kingma, 2014)"), subject_head("Hinge loss")
    ('Adam ', 'Hinge loss')
    """
    return HEAD_END.split(subject, maxsplit=1)[0]


def names_another_row(
    asked: set[str], hit: Hit, row: TableLine, named: set[str], rarity: TermRarity | None = None
) -> bool:
    """Whether a question (its key stems `asked`) names what `row` of `hit` is about beyond `named`, the stems the
    rows quoted before it named: a stem of its subject that no other row's subject in the passage holds, with the
    subject's whole head asked ("Adam" of "Adam (Kingma, 2014)") or with more than half of the subject's key-term
    weight (by `rarity`; by count without it). A comparison ("compare Adam and RMSprop") names both rows; a word
    that names the kind of every row ("loss" of "Hinge loss" and "Huber loss") or one too common to tell a row
    ("loss" of "Hinge loss", "hinge" being rarer) names none: "What does cross-entropy loss compare?" asks about
    the cross-entropy row alone."""
    stems = key_stems(row.subject)
    others: set[str] = set()
    for line in hit_table_lines(hit):
        if line.reading and (line.start, line.end) != (row.start, row.end):
            others |= key_stems(line.subject)
    own = (asked & stems) - named - others
    if not own:
        return False
    head = key_stems(subject_head(row.subject))
    if head and head <= asked:
        return True
    weight = rarity.weight if rarity is not None else len
    return 2 * weight(own) > weight(stems)
