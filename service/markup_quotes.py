r"""A Markdown (Obsidian) or Org note's inline markup as the note reads, in a quote's answer text.

Quoted as written, "it is ==memoryless==", "See also [[Hypothesis Testing|p-values]]", "written with
=WITH name AS (...)=" and "Overfitting :: the model fits noise" showed the marks an editor renders. Cutting them
as context in ingest would split each sentence in pieces, so, as `service.latex_quotes.typeset` does for .tex,
they are read here, in the answer's text only: a citation's span stays the source as written. Code spans and
formulas are left as written (a note may teach `[[link]]` or `=` in code).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from service.latex_quotes import FORMULA

MARKDOWN_SUFFIXES = (".md", ".markdown", ".ipynb")  # a notebook's quotes are its Markdown cells' text
ORG_SUFFIXES = (".org",)

CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)  # a Markdown code span, as the answer shows it too
# [[Note]], [[Note|alias]], [[Note#Heading]], [[#Heading]], [[Note#^block-id]]; an embed ![[..]] shows no text.
# Code in prose is no link: the target must read as a note name (a letter, "#" or "^" first, or a daily note's
# date; no ","), and the [[ must not follow "(", "[", "=", an assignment's "= " or a word character:
# np.array([[1, 2, 3]]), a[[i]], df[["a", "b"]], x = [[a]] and [[0]] stay as written.
_NOTE_NAME = r"(?:[^\W\d_]|[#^]|\d{4}-\d{2}-\d{2})[^\[\]|\n,]*?"
WIKILINK = re.compile(
    rf"(?<![(\[=\w])(?<![^=]= )(?:(?P<embed>!)|(?<!!))\[\[(?P<target>{_NOTE_NAME})(?:\|(?P<alias>[^\[\]\n]*))?\]\]"
)
# ==text== with a non-word character or a line edge on both outer sides and no longer "=" run: x==y==z,
# if a==b==c and a === b stay as written
HIGHLIGHT = re.compile(r"(?<![\w=])==(?=\S)(?P<text>[^=\n]*?\S)==(?![\w=])")
BREAK = re.compile(r"[ \t]*<br[ \t]*/?>(?:[ \t]+|$)", re.I)  # a hard line break: the quote is one line
# a footnote reference written against the text ("until the Crimean War (1853-1856)[^1].", "lambda[^note]"): the
# note shows a superscript link, the answer would show "[^1]". Not its definition's "[^1]:" label (never quoted), nor
# a bracket set after a space ("the regex [^aeiou] matches"), which is text unless a definition makes it a reference
FOOTNOTE_REFERENCE = re.compile(r"(?<=\S)\[\^(?P<label>[^\]\s]+)\](?!:)")
# A footnote's label is a number or words ("1", "note", "my-note"); a regex's negated class written in a note without
# backticks has the same brackets, "r'[^0-9]'", "\\w[^aeiou]", "s[^a-z]+": a label with a range or a one-character
# piece ("0-9", "A-Za-z"), or a bracket after an escape or a quote, is code and stays.
FOOTNOTE_LABEL = re.compile(r"\d+|[A-Za-z0-9_]{2,}(?:-[A-Za-z0-9_]{2,})*")
# Org: [[link][description]] or [[link]]
ORG_LINK = re.compile(r"\[\[(?P<link>[^\[\]\n]+)\](?:\[(?P<text>[^\[\]\n]+)\])?\]")
# Org's emphasis, where Org renders it (org-emphasis-regexp-components): after a line start, a space or one of
# -('"{, the mark, a body that neither starts nor ends with a space, the mark, then a space, the end or one of
# -.,:!?;'")}\[; and no mark inside (Org would read " /usr/bin/ " as italic): /usr/bin/ and a*b*c stay as written
_PRE = r"(?:^|(?<=[\s\-('\"{]))"
_POST = r"(?=[\s\-.,:!?;'\")}\\\[]|$)"
ORG_CODE = re.compile(rf"{_PRE}(?P<mark>[=~])(?P<text>[^\s]|[^\s].*?[^\s])(?P=mark){_POST}")
# Org's *bold* and /italic/, and the answer's Markdown for them (bold first: its ** is no Org mark)
ORG_EMPHASIS = {
    mark: re.compile(
        rf"{_PRE}{re.escape(mark)}(?P<text>[^\s{mark}]|[^\s{mark}][^{mark}]*?[^\s{mark}]){re.escape(mark)}{_POST}"
    )
    for mark in "*/"
}
MARKDOWN_EMPHASIS = {"*": "**", "/": "*"}
# "- Term :: text" (its bullet already dropped by the quote): at the quote's start or after a joined item
DESCRIPTION = re.compile(r"(?:^|(?<=; )|(?<=[.!?] ))(?P<term>[^\s:;][^:;\n]{0,79}?) :: ")
# A reference mark pasted with the text ("Lowercasing text[7] Removing ...", "tokens.[3][4]", "in 2017[7]."): in an
# answer it would read as one of our own [n] citations. A candidate comes before a capital, a stop or the end;
# `without_reference_marks` reads what precedes it, since indexing written in prose ("sys.argv[1].", "lst[1].") has
# the same shape.
REFERENCE_MARK = re.compile(r"[ \t]?(?:\[[1-9]\d{0,2}\])+(?=(?P<capital>[ \t]+[A-Z])|\s*$|[.,;:!?)])")
# a word of two letters or more ("self-attention" too), after a space, a quote or "(": not joined to code by . _ ( [
PLAIN_WORD = re.compile(r"(?:^|(?<=[\s\"'(\u201c\u2018]))(?P<word>(?:[^\W\d_]+-)*[^\W\d_]{2,})$")
NUMBER = re.compile(r"(?:^|(?<=[\s(]))\d+$")  # "in 2017[7]": prose indexes no number
CLOSING_MARK = re.compile(r"[.,;:)\"'\u201d\u2019]$")
REFERENCE_NUMBER = re.compile(r"\[\d{2,}\]")  # [12]: past the small indices prose writes out
CALL_ARGUMENT = re.compile(r"[\w.\]]\((?:[^\W\d_]+-)*[^\W\d_]{2,}$")  # "print(scores": the word is a call's argument


def is_reference_mark(mark: re.Match[str], before: str) -> bool | None:
    """Whether a `REFERENCE_MARK` candidate, after the text `before`, is a pasted reference mark; None where its
    shape cannot tell. It is after a closing mark ("tokens.[3]", "forms) [7]"; not the ")" of a call: "f(x)[1]") or
    a number ("2017[7]"), apart from the word before it ("work [7]."), or after a plain word before a capital
    ("text[7] Removing"). Right after a plain word and before a stop, a ")" or the end, it reads as indexing
    ("lst[1].", "the value arr[1].", "grid[1][2].") unless the word is capitalised, as no variable of prose is
    ("NLP[2],", "Transformer[3]."), or a number in it has two digits and no code writes it: a run of marks
    ("attention[12][13].") or after a hyphenated word ("self-attention[12]."). A single two-digit mark after a
    lowercase word is indexing in a call ("print(scores[10])") and cannot be told otherwise ("is tokens[10]." as
    "earlier approaches[12]."): None, and `without_reference_marks` asks the rest of the text."""
    spaced = mark.group()[0] in " \t"
    if CLOSING_MARK.search(before):
        return spaced or not before.endswith(")")
    if NUMBER.search(before):
        return True
    word = PLAIN_WORD.search(before)
    if word is None:  # code: "sys.argv[1]", "int(x[1])", a one-letter name "M[1]"
        return False
    if spaced or mark.group("capital") is not None:
        return True
    name = word.group("word")
    if name[0].isupper():
        return True
    if REFERENCE_NUMBER.search(mark.group()) is None:  # one-digit indices: "lst[1]."
        return False
    if mark.group().count("[") > 1 or "-" in name:
        return True
    return False if CALL_ARGUMENT.search(before) else None


def without_reference_marks(text: str) -> str:
    """`text` without the reference marks pasted in it (`REFERENCE_MARK`, `is_reference_mark`). A mark whose shape
    cannot tell is left out only when the text holds a mark that is one by its shape: a page's text pasted with its
    marks ("Removing punctuations[12]." after "text[7] Removing"); alone, "the eleventh is tokens[10]." is kept, since
    a kept mark only shows what the page said and a cut index changes the code."""
    matches = list(REFERENCE_MARK.finditer(text))
    if not matches:
        return text
    # the word before is enough: linear in the text
    readings = [is_reference_mark(m, text[max(0, m.start() - 80) : m.start()]) for m in matches]
    pasted = any(reading is True for reading in readings)
    kept, at = [], 0
    for match, reading in zip(matches, readings, strict=True):
        kept.append(text[at : match.start()])
        if not (reading or (reading is None and pasted)):
            kept.append(match.group())
        at = match.end()
    return "".join(kept) + text[at:]


def as_read(text: str, doc: str) -> str:
    """A quote's `text` as the note `doc` (a path: its suffix says the format) reads: Markdown's and Org's
    inline marks rendered (`markdown_as_read`, `org_as_read`), and in every note a pasted reference mark left out
    (`without_reference_marks`: "text[7]" would read as a citation of ours); otherwise the text as it is."""
    name = doc.lower()
    if name.endswith(MARKDOWN_SUFFIXES):
        text = markdown_as_read(text)
    elif name.endswith(ORG_SUFFIXES):
        text = org_as_read(text)
    return without_reference_marks(text)


def markdown_as_read(text: str) -> str:
    """Obsidian's links and highlights as the note shows them: `[[Note]]` "Note", `[[Note|alias]]` "alias",
    `[[Note#Heading]]` "Note > Heading" (as a citation's breadcrumbs name a section), `[[#Heading]]` "Heading",
    `==text==` the text (the answer's Markdown has no highlight), an embed `![[img.png]]` nothing, a
    `<br>` one space (a trailing one none), and a footnote reference against the text ("[^1]") nothing.

    >>> print(markdown_as_read("See also [[Hypothesis Testing|p-values]] and [[Bootstrap]]."))
    See also p-values and Bootstrap.
    >>> print(markdown_as_read("it is ==memoryless==: see [[Distributions#Exponential]] and [[#Poisson]]"))
    it is memoryless: see Distributions > Exponential and Poisson
    >>> print(markdown_as_read("instead of the full data set.<br>"))
    instead of the full data set.
    >>> print(markdown_as_read("Git remote: origin<br/> Branch: main ![[graph.png]]"))
    Git remote: origin Branch: main
    >>> print(markdown_as_read("Write `[[x]]` or `a<br>` and $a == b == c$ as is."))
    Write `[[x]]` or `a<br>` and $a == b == c$ as is.
    >>> print(markdown_as_read("peace until the Crimean War (1853-1856)[^1]. The regex [^aeiou] and `x[^a]` stay."))
    peace until the Crimean War (1853-1856). The regex [^aeiou] and `x[^a]` stay.
    """
    if "[[" not in text and "==" not in text and "<" not in text and "[^" not in text:
        return text
    return _outside_code(text, _markdown)


def org_as_read(text: str) -> str:
    """Org's links, verbatim, code, emphasis and description items as Org exports them, in the answer's
    Markdown: `[[url][desc]]` "desc", `[[url]]` the url, `=x=` and `~x~` `` `x` ``, `*x*` **x**, `/x/` *x*
    (only where Org would render them), and an item's "Term :: text" "Term: text".

    >>> print(org_as_read("written with =WITH name AS (...)=, see [[https://x.org/cte][the docs]] or [[https://x.org]]"))
    written with `WITH name AS (...)`, see the docs or https://x.org
    >>> print(org_as_read("Use ~IS NULL~ instead of ~= NULL~, a *big* /sic/ mistake."))
    Use `IS NULL` instead of `= NULL`, a **big** *sic* mistake.
    >>> print(org_as_read("It is in /usr/bin/ and a*b*c is 2*3*4, not x/y/z."))
    It is in /usr/bin/ and a*b*c is 2*3*4, not x/y/z.
    >>> print(org_as_read("Overfitting :: fits noise. Bias-variance tradeoff :: flexible; Underfitting :: simple"))
    Overfitting: fits noise. Bias-variance tradeoff: flexible; Underfitting: simple
    """
    if not any(mark in text for mark in "[=~*/:"):
        return text
    return _outside_code(text, _org)


def _outside_code(text: str, render: Callable[[str, Callable[[str], str]], str]) -> str:
    """`render(text, keep)` with the code spans and formulas held out; `keep(piece)` holds out a piece too."""
    kept: list[str] = []

    def keep(piece: str) -> str:
        kept.append(piece)
        return f"\x00{len(kept) - 1}\x01"

    held = FORMULA.sub(lambda m: keep(m.group(0)), CODE.sub(lambda m: keep(m.group(0)), text))
    held = render(held, keep)
    for _ in range(2):  # a formula may hold a held code span
        held = re.sub("\x00(\\d+)\x01", lambda m: kept[int(m.group(1))] if int(m.group(1)) < len(kept) else "", held)
    return held


def _markdown(text: str, keep: Callable[[str], str]) -> str:
    text = WIKILINK.sub(_wikilink, text)
    text = HIGHLIGHT.sub(lambda m: m.group("text"), text)
    text = BREAK.sub(" ", text)
    text = FOOTNOTE_REFERENCE.sub(lambda m: "" if is_footnote_reference(m, text) else m.group(), text)
    return re.sub(r"(?<=\S) {2,}(?=\S)", " ", text).strip()  # a dropped embed or <br> leaves one space


def is_footnote_reference(mark: re.Match[str], text: str) -> bool:
    """Whether a `FOOTNOTE_REFERENCE` candidate in `text` is one: a footnote's label, after a word that is no escape,
    no quoted string and no class ("War (1853-1856)[^1].", "lambda[^note]"; not "r'[^0-9]'", "\\w[^aeiou]",
    "[a-z][^aeiou]"), and no quantifier after it ("x[^abc]+")."""
    word = text[max(0, mark.start() - 80) : mark.start()].split()[-1:] or [""]
    code = "\\" in word[0] or word[0].endswith(("'", '"', "]")) or text[mark.end() : mark.end() + 1] in set("+*?{")
    return not code and FOOTNOTE_LABEL.fullmatch(mark.group("label")) is not None


def _wikilink(link: re.Match[str]) -> str:
    if link.group("embed"):
        return ""
    if link.group("alias") and link.group("alias").strip():
        return link.group("alias").strip()
    note, _, heading = link.group("target").partition("#")
    note, heading = note.strip(), heading.strip()
    if not heading or heading.startswith("^"):  # a block reference names its note
        return note or heading
    return f"{note} > {heading}" if note else heading


def _org(text: str, keep: Callable[[str], str]) -> str:
    text = ORG_LINK.sub(lambda m: (m.group("text") or m.group("link")).strip(), text)
    text = ORG_CODE.sub(lambda m: keep(f"`{m.group('text')}`"), text)  # verbatim: no emphasis inside
    for mark, emphasis in ORG_EMPHASIS.items():  # once each: Markdown's ** read as Org would be ****
        text = emphasis.sub(lambda m, shown=MARKDOWN_EMPHASIS[mark]: f"{shown}{m.group('text')}{shown}", text)
    return DESCRIPTION.sub(lambda m: m.group("term") + ": ", text)
