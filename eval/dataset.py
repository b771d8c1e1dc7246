"""Load and validate evaluation datasets (JSONL, one question a line; format in ../shared/DESIGN.md).

Validation is strict because a gold quote that is not an exact substring of its note silently turns a
question into one no system can get right; the error names the line so the author can fix it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingest.errors import SkippedFile
from ingest.loaders import load_file

Kind = Literal["fact", "code", "unanswerable"]
KINDS: tuple[str, ...] = ("fact", "code", "unanswerable")


class DatasetError(ValueError):
    """A dataset file breaks the format; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class GoldQuote:
    """A passage of a note that answers the question: `quote` is an exact substring of `doc`."""

    doc: str
    quote: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    kind: Kind
    reference_answer: str
    relevant: tuple[GoldQuote, ...]
    code_keywords: tuple[str, ...] = field(default=())
    line: int = 0


def _fail(path: Path, line: int, problem: str) -> DatasetError:
    return DatasetError(f"{path}:{line}: {problem}")


def _parse_line(path: Path, line: int, raw: str) -> Question:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _fail(path, line, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise _fail(path, line, "expected a JSON object")
    for key in ("id", "question", "kind", "reference_answer"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise _fail(path, line, f"field {key!r} must be a non-empty string")
    if obj["kind"] not in KINDS:
        raise _fail(path, line, f"kind {obj['kind']!r} is not one of {', '.join(KINDS)}")
    relevant = obj.get("relevant", [])
    if not isinstance(relevant, list):
        raise _fail(path, line, "field 'relevant' must be a list of {doc, quote}")
    quotes = []
    for i, item in enumerate(relevant):
        if not (isinstance(item, dict) and isinstance(item.get("doc"), str) and isinstance(item.get("quote"), str)):
            raise _fail(path, line, f"relevant[{i}] must be an object with string 'doc' and 'quote'")
        if not item["quote"].strip():
            raise _fail(path, line, f"relevant[{i}] has an empty quote")
        quotes.append(GoldQuote(item["doc"], item["quote"]))
    if obj["kind"] == "unanswerable" and quotes:
        raise _fail(path, line, "an unanswerable question must have no relevant quotes")
    if obj["kind"] != "unanswerable" and not quotes:
        raise _fail(path, line, f"a {obj['kind']} question needs at least one relevant quote")
    keywords = obj.get("code_keywords", [])
    if not (isinstance(keywords, list) and all(isinstance(k, str) and k for k in keywords)):
        raise _fail(path, line, "field 'code_keywords' must be a list of non-empty strings")
    if obj["kind"] == "code" and not keywords:
        raise _fail(path, line, "a code question needs code_keywords")
    return Question(
        id=obj["id"],
        question=obj["question"],
        kind=obj["kind"],
        reference_answer=obj["reference_answer"],
        relevant=tuple(quotes),
        code_keywords=tuple(k.lower() for k in keywords),
        line=line,
    )


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.strip():
            yield number, raw


def load_dataset(path: Path) -> list[Question]:
    """Parse every line; raise DatasetError on the first malformed one or a repeated id."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset file")
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for number, raw in _lines(path):
        q = _parse_line(path, number, raw)
        if q.id in seen:
            raise _fail(path, number, f"id {q.id!r} already used on line {seen[q.id]}")
        seen[q.id] = number
        questions.append(q)
    if not questions:
        raise DatasetError(f"{path}: the dataset has no questions")
    return questions


def check_quotes(questions: list[Question], notes_dir: Path, path: Path) -> None:
    """Every quote must be an exact substring of its doc, read from the notes dir."""
    texts: dict[str, str | None] = {}
    for q in questions:
        for i, gold in enumerate(q.relevant):
            if gold.doc not in texts:
                texts[gold.doc] = stored_text(Path(notes_dir) / gold.doc, gold.doc)
            text = texts[gold.doc]
            if text is None:
                missing = f"{q.id}: relevant[{i}] names doc {gold.doc!r}, not in {notes_dir} as a file ingest reads"
                raise _fail(path, q.line, missing)
            if gold.quote not in text:
                raise _fail(
                    path,
                    q.line,
                    f"{q.id}: relevant[{i}] quote is not an exact substring of {gold.doc}: {gold.quote[:80]!r}",
                )


def stored_text(doc_path: Path, doc: str) -> str | None:
    """The text the store keeps for a doc, where scoring finds quotes: loaded as ingest loads it (a Latin-1 note
    decoded, an HTML page's or PDF's text read out of its markup); None when there is no such file to index."""
    try:
        return load_file(doc_path, doc).source.text
    except SkippedFile:
        return None


def validate(path: Path, notes_dir: Path) -> list[Question]:
    """Load a dataset and check its quotes against the notes; returns the questions when all is well."""
    questions = load_dataset(Path(path))
    check_quotes(questions, Path(notes_dir), Path(path))
    return questions
