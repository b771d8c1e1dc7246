r"""LaTeX notes (.tex): headings, code, and what LaTeX does not print, read from the source as written.

The text every span points into is the file itself: a citation's `[start, end)` is the .tex source, and a
quote shows the LaTeX the student typed (`\emph{prior}`, `$\theta$`: the page typesets the math). What is
no answer text is found here and marked, never removed:
- the preamble (up to `\begin{document}`) and anything after `\end{document}`: in no section (`body`);
- `%` comments, `comment` environments, `\iffalse ... \fi` drafts, lines of commands alone (`\begin{itemize}`,
  `\label{eq:1}`, `\input{intro}`), an `\item`'s marker (a description item's `\item[No pooling]` names its
  term: it stays with its text, and the writer quotes "No pooling: ..."), and display environments (equation,
  align, gather ...) of more than one formula line too long for the quoting writer to quote whole
  (`core.formulas.MAX_FORMULA_CHARS`): context. A line of an align quoted on its own would be a formula cut
  apart; the others, like `\[ \]` and `$$ $$`, are left to the quoting writer, which quotes each whole;
- verbatim, lstlisting and minted environments: code (`latex_code`, registered in `ingest.code_blocks`).
`\input` and `\include` are not followed: each .tex file is its own document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace

from core.formulas import DISPLAY_ENVIRONMENTS, MAX_FORMULA_CHARS
from ingest.errors import SkippedFile
from ingest.loaders import Heading, LoadedFile
from ingest.sections import Span, trim_span

MAX_TITLE_CHARS = 500  # a heading's {argument} longer than this is no title
# sectioning commands and the level each opens (beamer's frame titles sit below subsections)
HEADING_LEVELS = {
    "part": 0,
    "chapter": 1,
    "addchap": 1,
    "section": 2,
    "addsec": 2,
    "subsection": 3,
    "subsubsection": 4,
    "frametitle": 4,
    "paragraph": 5,
    "subparagraph": 6,
}
CODE_ENVIRONMENTS = ("verbatim", "Verbatim", "BVerbatim", "lstlisting", "minted")
# commands whose arguments are never printed prose, so a line of them alone is layout however many words
# it holds (`\begin{tabular}{l c r}`, `\includegraphics[width=0.5\textwidth]{figs/prior plot}`)
LAYOUT_COMMANDS = frozenset(
    {"begin", "end", "label", "ref", "eqref", "cite", "nocite", "index", "input", "include", "includeonly"}
    | {"includegraphics", "includepdf", "lstinputlisting", "inputminted", "usepackage", "documentclass"}
    | {"bibliography", "bibliographystyle", "printbibliography", "addbibresource", "newcommand", "renewcommand"}
    | {"providecommand", "newenvironment", "newtheorem", "DeclareMathOperator", "setlength", "setcounter"}
    | {"vspace", "hspace", "title", "author", "date", "todo", "hypersetup", "graphicspath", "lstset"}
    | set(HEADING_LEVELS)
)

# what a scan of one line steps over before a `%` counts: `\verb|50%|`, a URL's `%20`, an escaped `\%`. A \verb's
# argument is bounded (an unclosed one with a new delimiter each time scanned the rest of its line: quadratic)
_LINE_TOKEN = re.compile(r"\\verb\*?([^a-zA-Z\s*]).{0,200}?\1|\\(?:url|href)\{[^{}\n]*\}|\\.|%")
_RAW_BEGIN = re.compile(rf"\\begin\{{((?:{'|'.join(CODE_ENVIRONMENTS)})\*?|comment)\}}")
_ARG = r"(?:\s*\[[^\[\]\n]*\]|\s*\{(?:[^{}\n]|\{(?:[^{}\n]|\{[^{}\n]*\})*\})*\})"  # [opt] or {arg}, 2 levels deep
_COMMAND = re.compile(rf"\\([a-zA-Z@]+)\*?((?:{_ARG})*)")
_COMMANDS_ALONE = re.compile(rf"(?:\\[a-zA-Z@]+\*?(?:{_ARG})*\s*)+")
_BRACE = re.compile(r"(?<!\\)[{}]")  # an escaped \{ is text
_BRACED = re.compile(r"\{((?:[^{}]|\{[^{}]*\})*)\}")
_HEADING = re.compile(rf"\\({'|'.join(HEADING_LEVELS)})(?![a-zA-Z@])\*?\s*(?:\[(?:[^\[\]]|\[[^\[\]]*\])*\]\s*)?(?=\{{)")
# an overlay spec <2-> holds no "<": each unclosed "\begin{frame}<" scanned the rest of its line (quadratic)
_FRAME = re.compile(r"\\begin\{frame\}\s*(?:<[^<>\n]*>\s*)?(?:\[[^\[\]\n]*\]\s*)?(?=\{)")
_DISPLAY = re.compile(rf"\\begin\{{({'|'.join(DISPLAY_ENVIRONMENTS)})(\*?)\}}")
_DISPLAY_END = re.compile(rf"\\end\{{((?:{'|'.join(DISPLAY_ENVIRONMENTS)})\*?)\}}")
# \[ ... \] and $$ ... $$ no longer than the quoting writer quotes whole (service.extractive's DISPLAY_MATH);
# the "\[" of a line break's spacing, "\\[2pt]", opens none
_BRACKETED = re.compile(
    rf"(?<!\\)\\\[.{{1,{MAX_FORMULA_CHARS - 4}}}?\\\]|(?<!\\)\$\$.{{1,{MAX_FORMULA_CHARS - 4}}}?\$\$", re.S
)
_ITEM = re.compile(
    r"\\item(?![a-zA-Z@])(?:\s*\[(?P<label>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\])?|\\bibitem(?:\[[^\[\]\n]*\])?\{[^{}\n]*\}"
)
_LABEL_WORD = re.compile(r"\w")  # a description label that holds a word is printed text ("--" only marks)
_DOCUMENT_BEGIN = re.compile(r"\\begin\{document\}")
_DOCUMENT_END = re.compile(r"\\end\{document\}")
_IFFALSE = re.compile(r"\\iffalse(?![a-zA-Z@])")
# what TeX counts while it skips a false branch: every \if... (\ifdefined, \ifx, a \newif's \ifdraft) opens,
# \fi closes; \ifthenelse is a macro with no \fi
_CONDITIONAL = re.compile(r"\\(?:if(?!thenelse(?![a-zA-Z@]))[a-zA-Z@]*|fi)(?![a-zA-Z@])")
_LABELS = re.compile(r"(?:[ \t]*\\(?:label|index)\{[^{}\n]*\})+[ \t]*")
_PARAMETER = re.compile(r"(?<!\\)#[1-9]")  # a macro's parameter; an escaped \#3 is text
_RUN_IN_STOP = re.compile(r"(?<![.])[.:]$")  # a run-in heading's full stop or colon, not an ellipsis
_TITLE = re.compile(r"\\title\s*(?:\[[^\[\]]*\]\s*)?(?=\{)")


@dataclass(frozen=True)
class LatexMarkup:
    r"""What a .tex file declares, read in one parse that the loader, structure and passages share: headings in
    order, context spans, its `\title`, its body's span, its code and the display formulas quoted whole."""

    headings: tuple[Heading, ...]
    context: tuple[Span, ...]
    title: str | None
    body: Span  # from after \begin{document} to \end{document}: the whole file when it has neither
    code: tuple[Span, ...] = ()  # verbatim, lstlisting and minted environments (`latex_code`)
    # display formulas the quoting writer quotes whole (environments, \[ \], $$ $$), each with the unfinished line
    # that leads into it ("The posterior is"): a passage keeps each whole (`ingest.passages`), or neither half
    # would be quoted
    formulas: tuple[Span, ...] = ()


def comment_start(line: str) -> int | None:
    r"""Where the line's `%` comment starts (an escaped `\%` or a `%` inside `\verb|..|` or `\url{..}` is text).

    >>> comment_start(r"50\% of the mass % not printed"), comment_start(r"\url{a%20b}")
    (17, None)
    """
    for match in _LINE_TOKEN.finditer(line):
        if match.group(0) == "%":
            return match.start()
    return None


def _scan(text: str) -> tuple[list[tuple[int, int, str]], list[Span]]:
    """Raw environments (verbatim, lstlisting, minted, comment: LaTeX reads their text as it is, `%` and all)
    as (start, end, name), and the `%` comments outside them, line by line."""
    raw: list[tuple[int, int, str]] = []
    comments: list[Span] = []
    pos = 0
    while pos < len(text):
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end == -1 else line_end
        cut = comment_start(text[pos:line_end])
        begin = _RAW_BEGIN.search(text, pos, line_end if cut is None else pos + cut)
        if begin is not None:
            name = begin.group(1)
            close = text.find(f"\\end{{{name}}}", begin.end())
            end = len(text) if close == -1 else close + len(f"\\end{{{name}}}")  # LaTeX reads on to the end
            raw.append((begin.start(), end, name))
            pos = end
            continue
        if cut is not None:
            comments.append(trim_span(text, pos + cut, line_end))
        pos = line_end + 1
    return raw, comments


def latex_code(text: str) -> tuple[Span, ...]:
    r"""Verbatim, lstlisting and minted environments, `\begin` and `\end` lines included (as a fence's are)."""
    raw, _ = _scan(text)
    return _code(raw)


def _code(raw: list[tuple[int, int, str]]) -> tuple[Span, ...]:
    return tuple((s, e) for s, e, name in raw if name != "comment")


def _masked(text: str, spans: list[Span]) -> str:
    """`text` with `spans` blanked (line breaks kept): searched for commands, its offsets are the text's."""
    chars = list(text)
    for s, e in spans:
        chars[s:e] = [c if c == "\n" else " " for c in text[s:e]]
    return "".join(chars)


def _closing_brace(text: str, opening: int) -> int | None:
    """Index just past the `}` matching the `{` at `opening`; None when it is not closed within
    `MAX_TITLE_CHARS` (a title is short: thousands of unclosed `\\section{` must not scan the file each)."""
    depth = 0
    for brace in _BRACE.finditer(text, opening, opening + MAX_TITLE_CHARS):
        depth += 1 if brace.group(0) == "{" else -1
        if depth == 0:
            return brace.end()
    return None


_MATH = re.compile(r"((?<!\\)\$[^$]+(?<!\\)\$|\\\(.*?\\\))", re.S)  # an escaped \$ is a dollar
_DROPPED = re.compile(r"\\(?:label|index|footnote|cite|nocite|ref|eqref)\*?(?:\[[^\[\]]*\])?\{[^{}]*\}|\\protect\b")
_WRAPPER = re.compile(r"\\[a-zA-Z@]+\*?(?:\[[^\[\]]*\])?\{([^{}]*)\}")
_SYMBOLS = {
    "\\\\": " ",
    "~": " ",
    "---": "—",
    "--": "–",
    "``": "“",
    "''": "”",
    "\\&": "&",
    "\\%": "%",
    "\\_": "_",
    "\\#": "#",
    "\\$": "$",
}


def clean_latex(raw: str) -> str:
    r"""A title's words for breadcrumbs: formatting commands dropped for their text, math kept as written.

    >>> clean_latex(r"The \emph{conjugate} prior for $\theta$~\label{sec:beta}")
    'The conjugate prior for $\\theta$'
    """
    pieces = []
    for i, piece in enumerate(_MATH.split(raw)):
        if i % 2 == 0:
            piece = _DROPPED.sub("", piece)
            while (unwrapped := _WRAPPER.sub(r"\1", piece)) != piece:
                piece = unwrapped
            for symbol, char in _SYMBOLS.items():
                piece = piece.replace(symbol, char)
            piece = _BRACE.sub("", re.sub(r"\\([a-zA-Z@]+)\*?", r"\1", piece))
            piece = piece.replace("\\{", "{").replace("\\}", "}")
        pieces.append(piece)
    return " ".join("".join(pieces).split())


def _braced_title(text: str, masked: str, opening: int) -> tuple[str, int] | None:
    """(cleaned title, end) of the `{...}` argument at `opening`."""
    end = _closing_brace(masked, opening)
    if end is None:
        return None
    return clean_latex(text[opening + 1 : end - 1]), end


def _past_labels(text: str, masked: str, end: int) -> int:
    r"""`end` moved over the labels after a heading on its line (`\section{Priors}\label{sec:priors}`)."""
    labels = _LABELS.match(masked, end)
    at_line_end = labels is not None and masked[labels.end() : labels.end() + 1] in ("", "\n", "\r")
    return trim_span(text, end, labels.end())[1] if labels and at_line_end else end


def _headings(text: str, masked: str, body: Span) -> list[Heading]:
    found: list[Heading] = []
    for pattern in (_HEADING, _FRAME):
        for match in pattern.finditer(masked, *body):
            titled = _braced_title(text, masked, match.end())
            # "#1" is a macro's parameter: \newcommand{\topic}[1]{\section{#1}} defines, it opens no section
            if (
                titled is not None
                and titled[0]
                and titled[1] <= body[1]
                and not _PARAMETER.search(text, match.end(), titled[1])
            ):
                level = HEADING_LEVELS.get(match.group(1), 0) if pattern is _HEADING else HEADING_LEVELS["frametitle"]
                title = _RUN_IN_STOP.sub("", titled[0])  # \paragraph{Conjugacy.} names "Conjugacy"
                found.append(Heading(level, title or titled[0], match.start(), _past_labels(text, masked, titled[1])))
    found.sort(key=lambda h: h.start)
    return [h for i, h in enumerate(found) if i == 0 or h.start >= found[i - 1].end]  # \frametitle in a frame's {}


def _is_layout(line: str) -> bool:
    r"""A line of commands alone whose arguments print no prose (two or more words in a non-layout command's
    argument are prose: `\caption{The posterior after ten flips.}`)."""
    if not _COMMANDS_ALONE.fullmatch(line):
        return False
    for command in _COMMAND.finditer(line):
        if command.group(1) in LAYOUT_COMMANDS:
            continue
        if any(len(arg.split()) > 1 for arg in _BRACED.findall(command.group(2))):
            return False
    return True


def _display_math_blocks(masked: str, body: Span) -> list[tuple[Span, Span]]:
    """(environment, formula) spans of each display environment: its `\\begin` paired with the first `\\end` of
    its name after it by bisection, not a search (thousands of unclosed ones must not scan the file each)."""
    ends: dict[str, list[Span]] = {}
    for match in _DISPLAY_END.finditer(masked, *body):
        ends.setdefault(match.group(1), []).append(match.span())
    blocks: list[tuple[Span, Span]] = []
    for match in _DISPLAY.finditer(masked, *body):
        if blocks and match.start() < blocks[-1][0][1]:
            continue  # inside the environment before (LaTeX nests none)
        closes = ends.get(match.group(1) + match.group(2), [])
        at = bisect_right(closes, (match.end(), match.end()))
        if at < len(closes):
            blocks.append(((match.start(), closes[at][1]), (match.end(), closes[at][0])))
    return blocks


def _display_math(masked: str, body: Span) -> tuple[list[Span], list[Span]]:
    """(quoted whole, never quoted) display environments. The quoting writer quotes an environment whole, with
    the sentence that leads into it, when its formula is at most `MAX_FORMULA_CHARS` long: its lines, `\\begin`
    and `\\label` ones included, are the formula's. A longer one of more than one formula line is context: a
    line of it quoted alone would be a formula cut apart (`&= \\min(1, r).`); a longer one-line formula is
    quoted without its `\\begin`, `\\end` and `\\label` lines, which are layout."""
    whole: list[Span] = []
    never: list[Span] = []
    for environment, (start, end) in _display_math_blocks(masked, body):
        lines = [line for line in masked[start:end].split("\n") if line.strip() and not _is_layout(line.strip())]
        if end - start <= MAX_FORMULA_CHARS:
            whole.append(environment)
        elif len(lines) > 1:
            never.append(environment)
    return whole, never


def _iffalse_blocks(masked: str) -> list[Span]:
    r"""`\iffalse ... \fi` blocks, the usual way to hide a draft (any conditional inside nests: `\ifdefined`);
    one never closed runs to the end, as TeX skips it."""
    spans: list[Span] = []
    pos = 0
    while (begin := _IFFALSE.search(masked, pos)) is not None:
        depth, end = 0, len(masked)
        for token in _CONDITIONAL.finditer(masked, begin.start()):
            depth += 1 if token.group(0) != "\\fi" else -1
            if depth == 0:
                end = token.end()
                break
        spans.append((begin.start(), end))
        pos = end
    return spans


def latex_markup(text: str) -> LatexMarkup:
    """Headings, context spans, title and body of a .tex file (see the module docstring)."""
    raw, comments = _scan(text)
    masked = _masked(text, [(s, e) for s, e, _ in raw] + comments)
    hidden = _iffalse_blocks(masked)  # a hidden draft's \section is no heading
    masked = _masked(masked, hidden)
    begin = _DOCUMENT_BEGIN.search(masked)
    body_start = begin.end() if begin else 0
    end = _DOCUMENT_END.search(masked, body_start)
    body = (body_start, end.start() if end else len(text))
    context: list[Span] = [*comments, *hidden, *((s, e) for s, e, name in raw if name == "comment")]
    context += [(0, body[0]), (body[1], len(text))]  # outside the body: it joins no bare heading's section
    formulas, never_quoted = _display_math(masked, body)
    context += never_quoted
    context += [m.span() for m in _ITEM.finditer(masked, *body) if not _LABEL_WORD.search(m.group("label") or "")]
    pos, in_formula = body[0], 0
    for line in masked[body[0] : body[1]].split("\n"):
        while in_formula < len(formulas) and formulas[in_formula][1] <= pos:
            in_formula += 1
        quoted_whole = in_formula < len(formulas) and formulas[in_formula][0] < pos + len(line)
        if line.strip() and _is_layout(line.strip()) and not quoted_whole:
            context.append(trim_span(text, pos, pos + len(line)))
        pos += len(line) + 1
    title_at = _TITLE.search(masked, 0, body[1])
    titled = _braced_title(text, masked, title_at.end()) if title_at else None
    title = titled[0] if titled else None
    merged = _merged(text, context)
    return LatexMarkup(
        tuple(_headings(text, masked, body)),
        merged,
        title or None,
        body,
        _code(raw),
        tuple(_with_lead_in(text, merged, f) for f in sorted([*formulas, *_bracketed(masked, body)])),
    )


def _bracketed(masked: str, body: Span) -> list[Span]:
    """`\\[ ... \\]` and `$$ ... $$` display formulas the quoting writer quotes whole."""
    return [m.span() for m in _BRACKETED.finditer(masked, *body)]


def _with_lead_in(text: str, context: tuple[Span, ...], formula: Span) -> Span:
    """`formula` from the start of the line above it when that line is an unfinished sentence ("The posterior
    is", "Then:"), which the quoting writer quotes with it; a blank line, a finished sentence, a command or
    context above it leads into nothing."""
    line_end = text.rfind("\n", 0, formula[0])
    if line_end < 0 or text[line_end + 1 : formula[0]].strip():
        return formula
    line_start = text.rfind("\n", 0, line_end) + 1
    lead = text[line_start:line_end].strip()
    at = bisect_right(context, (line_end, line_end)) - 1
    if (
        not lead
        or lead.endswith((".", "!", "?", ";"))
        or lead.startswith("\\")
        or (at >= 0 and context[at][1] > line_start)
    ):
        return formula
    return line_start + len(text[line_start:line_end]) - len(text[line_start:line_end].lstrip()), formula[1]


def _merged(text: str, spans: list[Span]) -> tuple[Span, ...]:
    """Trimmed spans in order, one span for those that overlap (a `\\label` line inside an equation)."""
    out: list[Span] = []
    for s, e in sorted(trim_span(text, s, e) for s, e in spans):
        if e <= s:
            continue
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return tuple(out)


def printed_or_skipped(loaded: LoadedFile) -> LoadedFile:
    """`loaded` with its markup (`LoadedFile.latex`: the one parse structure reuses) when its body prints some
    text; a preamble or macro file (only commands and comments) is skipped with the reason, as ingest reports
    it and an upload refuses it."""
    markup = latex_markup(loaded.source.text)
    printed = _masked(loaded.source.text, list(markup.context))[markup.body[0] : markup.body[1]]
    if not printed.strip():
        raise SkippedFile("no text LaTeX would print: only a preamble, commands or comments (\\input is not followed)")
    return replace(loaded, latex=markup)
