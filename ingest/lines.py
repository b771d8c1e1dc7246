"""What one line of a plain-text note is: a flashcard question, a title, a Notion property, or content.

Plain-text notes declare no structure, so these rules read it off the lines themselves (see
`ingest.plaintext` for how the lines become sections).
"""

from __future__ import annotations

import re

from ingest.sections import Line

NOTION_KEYS = frozenset(["type", "status", "date", "slug", "summary", "tags", "category", "icon", "password"])
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "vs",
        "vs.",
        "with",
    ]
)
# the words that open a flashcard's question line: asking words (not "where" or "who": not seen opening a card
# in notes), auxiliaries and the verbs of an exam question
CARD_OPENERS = frozenset(
    [
        "what",
        "why",
        "how",
        "when",
        "which",
        "is",
        "are",
        "does",
        "do",
        "did",
        "can",
        "could",
        "should",
        "would",
        "will",
        "explain",
        "describe",
        "name",
        "define",
        "compare",
        "contrast",
        "distinguish",
        "diff",  # "Diff between X and Y": the card asks for a difference
        "difference",
        "differences",
    ]
)
# the words that open a question's second line: "And what are ...", "Also, why ..."
QUESTION_JOINERS = frozenset(["and", "or", "also", "plus"])
_SENTENCE_VERBS = frozenset(["is", "are", "was", "were", "has", "have"])
_LIST_MARKER = re.compile(r"^\s*(?:[-*•—–>]|\d+[.)]|[a-z][.)]\s)")
_CODE_LIKE = re.compile(r"[=<>{}\[\]]|^\S+\(|\w\(\)|\d\s*[*/+^]\s*\d")
MAX_TITLE_WORDS = 8


def is_question(line: Line) -> bool:
    """A flashcard front: a short line that ends in '?' or opens with a question word."""
    words = line.words
    if not words or len(words) > 30 or _LIST_MARKER.match(line.text):
        return False
    if line.text.endswith("?"):
        return True
    first = words[0].rstrip(",:")
    return (
        first[:1].isupper()
        and first.lower() in CARD_OPENERS
        and len(words) <= 20
        and not line.text.endswith((".", ":", ",", ";"))
    )


def continues_question(line: Line) -> bool:
    """A second line of a flashcard's question: a conjunction, then a question word ("And what are the different
    PEFT methods" under "What is Parameter Efficient Finetuning and motivation"). Read after a question line only;
    without it the card's answer would open with the rest of its question."""
    words = [w.rstrip(",:").lower() for w in line.words]
    return (
        len(words) >= 2
        and words[0] in QUESTION_JOINERS
        and words[1] in CARD_OPENERS
        and len(words) <= 20
        and not line.text.endswith((".", ":", ",", ";"))
    )


def is_heading_case(line: Line) -> bool:
    """Title Case ("Common Questions"), which marks a grouping heading rather than a short answer."""
    return all(w[0].isupper() or not w[0].isalpha() or w.lower() in STOP_WORDS for w in line.words)


def is_title_like(line: Line) -> bool:
    """A short topic line: capitalized, no sentence punctuation at the end, not code or a list item."""
    words = line.words
    if not words or len(words) > MAX_TITLE_WORDS or len(line.text) > 70:
        return False
    if _LIST_MARKER.match(line.text) or _CODE_LIKE.search(line.text):
        return False
    if "," in line.text or line.text.endswith((".", ";", ":", "!")) or line.text.count("(") != line.text.count(")"):
        return False
    if any(w.lower() in _SENTENCE_VERBS for w in words[1:]):
        return False  # "W is the weight matrix" is a statement, not a topic
    if len(words) >= 6 and not is_heading_case(line):
        return False
    return line.text[0].isupper()


def notion_header_end(lines: list[Line]) -> int:
    """Index of the first line after a Notion export's property block (0 when there is none)."""
    i = 0
    while i < len(lines) and not lines[i].text:
        i += 1
    first = i
    while i < len(lines) and lines[i].text.split(":")[0].strip().lower() in NOTION_KEYS:
        i += 1
    has_content = any(line.text for line in lines[i:])  # a file of nothing but keys is content after all
    return i if i - first >= 3 and has_content else 0


def front_matter_end(lines: list[Line]) -> int:
    """Index of the line after YAML (`---`) or TOML (`+++`) front matter at the top; 0 when none."""
    if not lines or lines[0].text not in {"---", "+++"}:
        return 0
    for i, line in enumerate(lines[1:60], start=1):
        if line.text in {lines[0].text, "..."}:
            return i + 1
    return 0
