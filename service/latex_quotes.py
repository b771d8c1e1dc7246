r"""The quote rules that only a LaTeX document's passages get: one home, so no other note is read as LaTeX.

A Markdown or text note may mention `\begin{align}` or teach `\textbf{bold}`: read as LaTeX, the first
dropped every later sentence of its passage (a formula "cut apart") and the second was quoted as **bold**,
the command the note teaches gone. So the environment-edge rule, `\item` lists, `%` comments and the
Markdown rendering of `\emph`/`\textbf` apply to passages of `.tex` documents only (`is_latex`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from core.formulas import DISPLAY_ENVIRONMENTS, MAX_FORMULA_CHARS

LATEX_SUFFIXES = (".tex",)  # the suffix ingest.loaders reads as LaTeX
_ENVIRONMENT_NAME = rf"(?:{'|'.join(DISPLAY_ENVIRONMENTS)})\*?"
# a display environment with its \begin and \end, bounded (MAX_FORMULA_CHARS) so that 10,000 unclosed
# "\\begin{equation}" do not each scan the text; service.extractive's DISPLAY_MATH holds it
ENVIRONMENT = (
    rf"\\begin\{{(?P<environment>{_ENVIRONMENT_NAME})\}}.{{1,{MAX_FORMULA_CHARS}}}?\\end\{{(?P=environment)\}}"
)
# a display environment's \begin or \end that DISPLAY_MATH paired with nothing: a passage's bound or a formula
# too long to quote cut it, and the lines beside it are a formula cut apart
ENVIRONMENT_EDGE = re.compile(rf"\\(begin|end)\{{{_ENVIRONMENT_NAME}\}}")
# a list item's marker: a bullet or a number in every note, LaTeX's \item (with a description list's [label],
# quoted as "Label: text") in a LaTeX document only
BULLET = r"[-*•–—]|\d{1,2}[.)]"  # "- ", "• ", "3. ", "2) ": the quoting writer's LIST_MARKER too
_BULLET = rf"(?:{BULLET})[ \t]+"
_ITEM = r"\\item(?![a-zA-Z@])(?:[ \t]*\[(?P<label>[^\[\]\n]*)\])?[ \t]*"
LIST_ITEM = re.compile(rf"[ \t]*{_BULLET}(?P<text>\S[^\n]*)")
LATEX_LIST_ITEM = re.compile(rf"[ \t]*(?:{_BULLET}|{_ITEM})(?P<text>\S[^\n]*)")
# the lines that open and close a LaTeX list: between a lead-in and its first \item they break no list
LIST_ENVIRONMENT = re.compile(r"[ \t]*\\(?:begin|end)\{(?:itemize|enumerate|description)\}(?:\[[^\[\]\n]*\])?[ \t]*")
# LaTeX's formatting commands, and the Markdown marks the answer shows them with
MARKDOWN_MARKS = {"emph": "*", "textit": "*", "textbf": "**", "texttt": "`", "underline": ""}
FORMATTED = re.compile(rf"\\({'|'.join(MARKDOWN_MARKS)})\{{([^{{}}]*)\}}")
FORMULA = re.compile(rf"\$\$.*?\$\$|\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]|{ENVIRONMENT}", re.S)  # left as written
LABEL = re.compile(r"[ \t]*\\label\{[^{}\n]*\}")
COMMENT = re.compile(r"(?<!\\)%[^\n]*")


def is_latex(doc: str) -> bool:
    """Whether the document `doc` (a note's path) is read as LaTeX, so its passages get these rules.

    >>> is_latex("week3/lecture.TEX"), is_latex("optim.md")
    (True, False)
    """
    return doc.lower().endswith(LATEX_SUFFIXES)


def list_item(latex: bool) -> re.Pattern[str]:
    """The list item line of a note: `\\item` is one only in a LaTeX document."""
    return LATEX_LIST_ITEM if latex else LIST_ITEM


def environment_edges(plain: str, inside: Sequence[tuple[int, int]]) -> list[tuple[int, str]]:
    """(offset, "begin" or "end") of each display environment's edge in `plain` outside the paired `inside`."""
    edges = []
    for m in ENVIRONMENT_EDGE.finditer(plain):
        i = bisect_left(inside, (m.start() + 1, -1)) - 1
        if not (i >= 0 and inside[i][0] <= m.start() < inside[i][1]):
            edges.append((m.start(), m.group(1)))
    return edges


def in_cut_formula(edges: Sequence[tuple[int, str]], start: int, end: int) -> bool:
    """Whether [start, end) holds an unpaired `\\begin`/`\\end` (`edges`, in order), follows a `\\begin` or
    precedes an `\\end`: it is then inside a display environment the passage cut."""
    i = bisect_left(edges, (start, ""))
    return (
        (i < len(edges) and edges[i][0] < end)
        or (i > 0 and edges[i - 1][1] == "begin")
        or (i < len(edges) and edges[i][1] == "end")
    )


def without_comments(raw: str) -> str:
    """`raw` with the `%` comments of its display environments cut (joined onto one line, one would hide the
    rest of the formula)."""
    return re.sub(ENVIRONMENT, lambda m: COMMENT.sub("", m.group(0)), raw, flags=re.S)


def markdown_formatting(text: str) -> str:
    r"""LaTeX's `\emph{x}` (`\textit`), `\textbf{x}` and `\texttt{x}` as Markdown's *x*, **x** and `x` (the
    answer is Markdown: the page and chat clients render it), `\underline{x}` as x, `\label{..}` dropped (KaTeX
    knows no labels); formulas are left as written, for KaTeX to typeset.

    >>> print(markdown_formatting(r"A \emph{conjugate} prior, $\textbf{x}$ in \texttt{max\_iter}\label{eq:1}"))
    A *conjugate* prior, $\textbf{x}$ in `max_iter`
    """
    if "\\" not in text:
        return text
    formulas: list[str] = []

    def hold(formula: re.Match[str]) -> str:
        formulas.append(formula.group(0))
        return f"\x00{len(formulas) - 1}\x01"

    held = FORMULA.sub(hold, LABEL.sub("", text))
    while (formatted := FORMATTED.sub(_as_markdown, held)) != held:  # the innermost first: \emph{a \textbf{b}}
        held = formatted
    return re.sub("\x00(\\d+)\x01", lambda m: formulas[int(m.group(1))], held)


def _as_markdown(command: re.Match[str]) -> str:
    name, inner = command.group(1), command.group(2)
    mark = MARKDOWN_MARKS[name]
    if name == "texttt":
        inner = re.sub(r"\\([_%&#$])", r"\1", inner)  # escapes LaTeX needs and a code span does not
    words = inner.strip()
    lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
    return lead + (mark + words + mark if words else "") + trail
