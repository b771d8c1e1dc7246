"""What the notes answer, read off ingest's own passages: a question (or topic), its gold passage, its answer.

Ingest already decided where sections start and which lines of a passage are context (titles, headings,
a flashcard's question: `context_spans`), so the data builder reuses that instead of guessing structure
with rules of its own that could disagree with what the service retrieves and cites. A passage splits
into segments, each a context span and the content after it:
- a context line that ingest calls a question (`ingest.lines.is_question`) is a flashcard's front: the
  content after it is its answer;
- a short context line is a section title: "what is <title>" and friends, answered by the content;
- content under no usable title (a generic "Introduction", a long table of contents) yields questions
  only from definitional sentences ("Patch extraction is a common ..." -> patch extraction).
The answer is always the first sentence(s) of content in the notes' own words, never a question or title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.text import content_words, sentence_spans
from ingest.toc import TOC_PREFIX

_LIST_MARKER = re.compile(r"^(?:[-*•—–>]\s*|\d+[.)]\s+|[a-z][.)]\s+)")
_NOTE_CITATION = re.compile(r"\s*\[\d{1,3}\]")  # the notes' own "[7]" would read as our citation markers
_WORD = re.compile(r"\S+")
_DEFINITION = re.compile(
    r"^(?P<x>[A-Z][\w\-()’' ]{1,60}?) (?P<verb>is|are) (?:a|an|the|one|used|made|known|defined|called)\b"
)
# titles that name no topic a person would ask about
GENERIC_TITLES = frozenset(
    [
        "introduction",
        "intro",
        "key concepts",
        "key points",
        "resources",
        "useful resources",
        "useful links",
        "references",
        "papers",
        "overview",
        "summary",
        "notes",
        "definition",
        "definitions",
        "common questions",
        "other methods",
        "history",
        "example",
        "examples",
        "conclusion",
        "background",
        "misc",
        "others",
        "datasets",
        "usage",
        "implementation",
        "the algorithm",
        "steps",
        "table of contents",
    ]
)
_GENERIC_WORDS = frozenset(" ".join(GENERIC_TITLES).split())
_NOT_TERMS = frozenset(
    [
        "this",
        "it",
        "that",
        "there",
        "which",
        "here",
        "next",
        "another",
        "each",
        "also",
        "then",
        "so",
        "now",
        "first",
        "second",
        "these",
    ]
)
MAX_TITLE_WORDS = 8


@dataclass
class Passage:
    """A note passage as ingest stored it: `text == source[start:end]`, context spans absolute."""

    doc: str
    start: int
    end: int
    text: str
    breadcrumbs: list[str] = field(default_factory=list)
    context: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def from_node(cls, node: Any) -> Passage:
        meta = node.metadata
        spans = [(int(s), int(e)) for s, e in meta.get("context_spans", [])]
        return cls(meta["doc"], int(meta["start"]), int(meta["end"]), node.text, list(meta["breadcrumbs"]), spans)

    def piece(self, start: int, end: int) -> str:
        return self.text[start - self.start : end - self.start]


@dataclass
class Seed:
    """Something the notes answer: the notes' own question (or "What is <topic>?"), the answer, its source.

    `topic` is what the paraphrase templates ask about (None when the question names no single topic);
    `answer_start`/`answer_end` locate the answer's characters, so a prompt can be checked to show them.
    """

    question: str
    answer: str
    passage: Passage
    origin: str  # flashcard | title | definition
    topic: str | None = None
    answer_start: int = 0
    answer_end: int = 0


def word_end(text: str, n: int) -> int:
    """Offset just past the n-th whitespace-separated word of text (len(text) when it has fewer)."""
    for i, match in enumerate(_WORD.finditer(text), start=1):
        if i == n:
            return match.end()
    return len(text)


def clean_unit(text: str) -> str:
    """One sentence or list item as an answer states it: no list marker, no note citations, one line."""
    text = _NOTE_CITATION.sub("", _LIST_MARKER.sub("", text.strip()))
    return " ".join(text.split()).lstrip("=:;,-–— ")


def _join(parts: Sequence[str]) -> str:
    out = ""
    for part in dict.fromkeys(parts):
        part = part.rstrip(" ,;")
        out = part if not out else out + (" " if out[-1] in ".!?:" else "; ") + part
    return out.rstrip(" ;:,")


def answer_from(
    passage: Passage, start: int, end: int, *, min_words: int = 18, max_words: int = 45
) -> tuple[str, int, int] | None:
    """The first sentence(s) of content in [start, end): (answer, abs start, abs end), or None.

    Whole sentences until `min_words` are reached (list items, a few words each, are gathered with
    "; "), at most two full sentences and `max_words` words; questions in the content are skipped.
    """
    body = passage.piece(start, end)
    parts: list[str] = []
    first, last, n_words, n_sentences = None, start, 0, 0
    for s, e in sentence_spans(body):
        unit = clean_unit(body[s:e])
        if not unit or unit.endswith("?") or not re.search(r"[A-Za-z0-9]", unit):
            if parts:
                break
            continue
        size = len(unit.split())
        if parts and n_words + size > max_words:
            break
        if size > max_words:  # one long sentence: its first max_words words
            unit = " ".join(unit.split()[:max_words])
            e = s + word_end(body[s:e], max_words)
            size = max_words
        parts.append(unit)
        first = start + s if first is None else first
        last, n_words = start + e, n_words + size
        n_sentences += size >= 6
        if n_words >= min_words or n_sentences >= 2 or len(parts) >= 4:
            break
    if not parts or first is None:
        return None
    return _join(parts), first, last


def is_generic(title: str, doc_title: str) -> bool:
    """A title naming no askable topic: 'Introduction', the document's own title, 'Notes from (X 2001)'."""
    norm = " ".join(re.findall(r"[a-z0-9]+", title.lower()))
    return (
        not norm
        or norm in GENERIC_TITLES
        or title.strip() == doc_title.strip()
        or norm.startswith("notes from")
        or all(w in _GENERIC_WORDS for w in norm.split())
        or len(title.split()) > MAX_TITLE_WORDS
    )


def _is_question(text: str, start: int, end: int) -> bool:
    from ingest.lines import is_question
    from ingest.sections import Line

    return is_question(Line(start, end, text.strip()))


def segments(p: Passage) -> list[tuple[tuple[int, int] | None, int, int]]:
    """(context span or None, content start, content end) for each run of content in the passage."""
    out: list[tuple[tuple[int, int] | None, int, int]] = []
    head: tuple[int, int] | None = None
    pos = p.start
    for s, e in sorted((max(s, p.start), min(e, p.end)) for s, e in p.context if s < p.end and e > p.start):
        if s > pos and p.piece(pos, s).strip():
            out.append((head, pos, s))
        head, pos = (s, e), max(pos, e)
    if pos < p.end and p.piece(pos, p.end).strip():
        out.append((head, pos, p.end))
    return out


def _segment_question(p: Passage, head: tuple[int, int] | None, first: bool) -> tuple[str, str] | None:
    """(question or title, origin) that the segment under `head` answers, or None when it names none."""
    doc_title = p.breadcrumbs[0] if p.breadcrumbs else ""
    if head is None:
        return None
    text = " ".join(p.piece(*head).split())
    if text.lower().startswith(TOC_PREFIX.lower()):
        # a table of contents: the section's own title answers for its first segment, unless the title
        # heads a segment of its own further on
        own = {" ".join(p.piece(s, e).split()) for s, e in p.context}
        if not first or len(p.breadcrumbs) < 2 or p.breadcrumbs[-1] in own:
            return None
        text = p.breadcrumbs[-1]
        if _is_question(text, 0, len(text)):
            return text, "title"
    elif _is_question(text, *head):
        return text, "flashcard"
    elif len(text.split()) > MAX_TITLE_WORDS:
        return None
    if is_generic(text, doc_title) or any(c in text for c in ":/") or text.lower().endswith("related"):
        return None
    return text, "title"


def answer_ok(answer: str, min_words: int = 3) -> bool:
    """Prose rather than code or a formula: a few real words (a card may answer in one), mostly words."""
    tokens = answer.split()
    wordy = [t for t in tokens if re.fullmatch(r"[A-Za-z][A-Za-z’'\-]+[,.;:]?", t)]
    return len(wordy) >= min_words and len(wordy) >= 0.5 * len(tokens) and not answer.startswith(("def ", "class "))


def definition_seeds(p: Passage, start: int, end: int, min_words: int, max_words: int) -> list[Seed]:
    """'X is a ...' sentences in content that has no usable title: questions about X, answered by it."""
    seeds = []
    body = p.piece(start, end)
    for s, _ in sentence_spans(body):
        sentence = clean_unit(body[s : s + 200])
        head = _DEFINITION.match(sentence)
        if head is None or len(head.group("x").split()) > 5:
            continue
        term = re.sub(r"^(?:A|An|The) ", "", head.group("x").strip())
        if term.split()[0].lower() in _NOT_TERMS or not content_words(term):
            continue
        found = answer_from(p, start + s, end, min_words=min_words, max_words=max_words)
        if found and answer_ok(found[0]):
            question = f"What {head.group('verb')} {term}?"
            seeds.append(Seed(question, found[0], p, "definition", term, found[1], found[2]))
    return seeds


def seeds_from_passages(passages: Sequence[Passage], *, min_words: int = 18, max_words: int = 45) -> list[Seed]:
    """Every seed ingest's passages yield, in passage order; one per question (first wins)."""
    seeds: list[Seed] = []
    for p in passages:
        for i, (head, start, end) in enumerate(segments(p)):
            asked = _segment_question(p, head, first=i == 0)
            if asked is None:
                seeds += definition_seeds(p, start, end, min_words, max_words)
                continue
            found = answer_from(p, start, end, min_words=min_words, max_words=max_words)
            if found is None or not answer_ok(found[0], 1 if asked[1] == "flashcard" else 3):
                continue
            question, origin = asked
            if origin == "title" and not question.endswith("?"):
                seeds.append(Seed(f"What is {question}?", found[0], p, origin, question, found[1], found[2]))
            else:
                seeds.append(Seed(question, found[0], p, origin, None, found[1], found[2]))
    unique: dict[str, Seed] = {}
    for seed in seeds:
        key = " ".join(re.findall(r"[a-z0-9]+", seed.question.lower()))
        asks = content_words(seed.question)
        if asks and set(content_words(seed.answer)) - set(asks):  # an answer that adds nothing
            unique.setdefault(key, seed)  # would be an echo, which the service's guard rejects anyway
    return list(unique.values())


def note_passages(nodes: Sequence[Any]) -> list[Passage]:
    """The note passages (leaves) among index nodes, uploads excluded, in document order."""
    leaves = [
        n
        for n in nodes
        if n.metadata.get("kind", "note") == "note"
        and n.metadata.get("level") == "passage"
        and not str(n.metadata["doc"]).startswith("uploads/")
    ]
    return sorted((Passage.from_node(n) for n in leaves), key=lambda p: (p.doc, p.start))


def seeds_from_notes(notes_dir: Path, *, min_words: int = 18, max_words: int = 45) -> list[Seed]:
    """Seeds from the notes split into passages as ingest splits them, without embedding anything (cheap, for tests
    and tools that need real questions; `notecite finetune` reads the same passages from an index)."""
    from ingest.loaders import NOTE_SUFFIXES, load_file
    from ingest.passages import section_nodes
    from ingest.structure import infer_structure

    nodes = []
    for path in sorted(Path(notes_dir).rglob("*")):
        if path.is_file() and path.suffix.lower() in NOTE_SUFFIXES:
            loaded = load_file(path, path.relative_to(notes_dir).as_posix())
            if loaded.fmt != "code":
                nodes += section_nodes(loaded.source, infer_structure(loaded).sections)
    return seeds_from_passages(note_passages(nodes), min_words=min_words, max_words=max_words)
