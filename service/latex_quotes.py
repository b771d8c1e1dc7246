r"""The quote rules that only a LaTeX document's passages get: one home, so no other note is read as LaTeX.

A Markdown or text note may mention `\begin{align}` or teach `\textbf{bold}`: read as LaTeX, the first
dropped every later sentence of its passage (a formula "cut apart") and the second was quoted as **bold**,
the command the note teaches gone. So the environment-edge rule, `\item` lists, `%` comments,
the Markdown rendering of `\emph`/`\textbf` and the typesetting of citations, references, escapes, dashes and
quotes (`\cite{key}` reads "[key]", `\%` "%", `--` "–") apply to passages of `.tex` documents only (`is_latex`).
They change the answer's text, never a citation's span: that is the source as written.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence

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
BULLET = r"[-*+•–—]|\d{1,2}[.)]"  # "- ", "+ ", "• ", "3. ", "2) ": the quoting writer's LIST_MARKER too
_BULLET = rf"(?:{BULLET})[ \t]+(?:\[[ xX/-]\][ \t]+)?"  # a task's box "[ ]", "[x]" is part of the marker
_ITEM = r"\\item(?![a-zA-Z@])(?:[ \t]*\[(?P<label>[^\[\]\n]*)\])?[ \t]*"
LIST_ITEM = re.compile(rf"[ \t]*{_BULLET}(?P<text>\S[^\n]*)")
LATEX_LIST_ITEM = re.compile(rf"[ \t]*(?:{_BULLET}|{_ITEM})(?P<text>\S[^\n]*)")
# the lines that open and close a LaTeX list: between a lead-in and its first \item they break no list
LIST_ENVIRONMENT = re.compile(r"[ \t]*\\(?:begin|end)\{(?:itemize|enumerate|description)\}(?:\[[^\[\]\n]*\])?[ \t]*")
# LaTeX's formatting commands, and the Markdown marks the answer shows them with
MARKDOWN_MARKS = {"emph": "*", "textit": "*", "textbf": "**", "texttt": "`", "underline": ""}
FORMATTED = re.compile(rf"\\({'|'.join(MARKDOWN_MARKS)})\{{([^{{}}]*)\}}")
# left as written, for KaTeX to typeset (an escaped \\$ is a dollar sign, no formula's edge)
FORMULA = re.compile(rf"(?<!\\)\$\$.*?(?<!\\)\$\$|(?<!\\)\$[^$]*(?<!\\)\$|\\\(.*?\\\)|\\\[.*?\\\]|{ENVIRONMENT}", re.S)
# a citation ("\\cite{a,b}", natbib's \\citep[p.~5]{a}, biblatex's \\parencite{a}) as "[a, b]", the space or "~" before
# it kept as one space; a key of digits alone would read as a source marker "[3]", so it reads "[ref 3]"
CITATION = re.compile(
    r"(?P<space>[ \t]*~?[ \t]*)\\(?P<command>[a-zA-Z]*cite[a-zA-Z]*)\*?"
    r"(?:\[(?P<pre>[^\[\]{}]*)\])?(?:\[(?P<post>[^\[\]{}]*)\])?\{(?P<keys>[^{}]*)\}"
)
# a cross-reference: LaTeX prints the number of the label, which a quote cannot know; the label names it
REFERENCE = re.compile(r"\\(?P<command>eqref|ref|autoref|cref|Cref|pageref|nameref)\*?\{(?P<label>[^{}\n]*)\}")
URL = re.compile(r"\\url\{([^{}\n]*)\}")  # printed as written: its "~" and "--" are the address's
# what LaTeX prints for its text-mode escapes, dashes, quotes and spaces ("---" is tried before "--")
TYPESET = {
    "\\\\": " ",  # a forced line break: the quote is one line
    "\\ ": " ",
    "\\,": " ",
    "\\%": "%",
    "\\&": "&",
    "\\_": "_",
    "\\#": "#",
    "\\{": "{",
    "\\}": "}",
    "\\@": "",
    "\\-": "",  # a hyphenation hint
    "\\ldots": "…",
    "\\dots": "…",
    "---": "—",
    "--": "–",
    "``": "“",
    "''": "”",
    "~": " ",  # a non-breaking space
}
SYMBOL = re.compile(r"\\(?:ldots|dots)(?![a-zA-Z])(?:\{\})?|\\[\\ ,%&_#{}@-]|---|--|``|''|~")
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


def typeset(text: str) -> str:
    r"""A LaTeX passage's text as the page would print it, in the answer's Markdown (the page and chat clients
    render it): `\emph{x}` (`\textit`), `\textbf{x}` and `\texttt{x}` as *x*, **x** and `x`, `\underline{x}` as
    x, `\label{..}` dropped (KaTeX knows no labels), a citation as "[key]", a reference by its label, and
    the escapes, dashes, quotes and spaces LaTeX typesets (`TYPESET`). Formulas, URLs and code are left as
    written (KaTeX typesets the formulas). Only the answer's text: the citation is the source as written.

    >>> print(typeset(r"A \emph{conjugate} prior, $\textbf{x}$ in \texttt{max\_iter}\label{eq:1}"))
    A *conjugate* prior, $\textbf{x}$ in `max_iter`
    >>> print(typeset(r"About 50\% of it~\cite{gelman} -- see Eq.~\eqref{eq:mh} and ``MCMC''."))
    About 50% of it [gelman] – see Eq. (eq:mh) and “MCMC”.
    """
    if "\\" not in text and not SYMBOL.search(text):
        return text
    kept: list[str] = []  # pieces printed as they are written, held out of the rules below

    def keep(piece: str) -> str:
        kept.append(piece)
        return f"\x00{len(kept) - 1}\x01"

    held = FORMULA.sub(lambda m: keep(m.group(0)), LABEL.sub("", text))
    held = URL.sub(lambda m: keep(m.group(1)), held)
    held = CITATION.sub(lambda m: _citation(m, keep), held)
    held = REFERENCE.sub(lambda m: keep(_reference(m)), held)
    while (formatted := FORMATTED.sub(lambda m: _as_markdown(m, keep), held)) != held:  # innermost first
        held = formatted
    held = SYMBOL.sub(lambda m: TYPESET[m.group(0).removesuffix("{}")], held)
    held = re.sub(r"(?<=\S) {2,}(?=\S)", " ", held)  # a typeset "~ " is one space, as TeX prints it
    for _ in range(2):  # a code span may hold a formula or a citation: kept twice over
        held = re.sub("\x00(\\d+)\x01", lambda m: kept[int(m.group(1))] if int(m.group(1)) < len(kept) else "", held)
    return held


def _citation(cite: re.Match[str], keep: Callable[[str], str]) -> str:
    """ "[gelman, p. 5]" for `~\\cite[p.~5]{gelman}`, one space before it where the source had one or a `~`;
    `\\nocite` prints nothing."""
    if cite.group("command") == "nocite":
        return ""
    keys = [key.strip() for key in cite.group("keys").split(",") if key.strip()]
    if not keys:
        return cite.group("space")
    shown = ", ".join(f"ref {key}" if key.isdigit() else key for key in keys)
    pre, post = cite.group("pre"), cite.group("post")
    if post is None:  # one optional argument is the note after the keys
        pre, post = None, pre
    if pre and pre.strip():
        shown = f"{pre.strip()} {shown}"
    if post and post.strip():
        shown = f"{shown}, {post.strip()}"
    shown = SYMBOL.sub(lambda m: TYPESET[m.group(0).removesuffix("{}")], shown)
    return (" " if cite.group("space") else "") + keep(f"[{shown}]")


def _reference(reference: re.Match[str]) -> str:
    """A cross-reference by its label: "(eq:mh)" for `\\eqref{eq:mh}`, as LaTeX puts an equation's number in
    parentheses; "sec:priors" for `\\ref{sec:priors}`."""
    label = reference.group("label").strip()
    return f"({label})" if reference.group("command") == "eqref" else label


def _as_markdown(command: re.Match[str], keep: Callable[[str], str]) -> str:
    name, inner = command.group(1), command.group(2)
    mark = MARKDOWN_MARKS[name]
    if name == "texttt":
        inner = re.sub(r"\\([_%&#$])", r"\1", inner)  # escapes LaTeX needs and a code span does not
    words = inner.strip()
    lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
    if name == "texttt" and words:  # typewriter text has no ligatures: its "--" stays two hyphens
        return lead + keep(mark + words + mark) + trail
    return lead + (mark + words + mark if words else "") + trail
