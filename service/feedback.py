"""Thumbs up/down on answers, kept in a small SQLite file beside the index."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

Rating = Literal["up", "down"]
RATINGS: tuple[str, ...] = ("up", "down")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    created_at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    answer_id: str | None
    question: str
    answer: str
    citations: list[dict[str, Any]]
    rating: Rating
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "answer_id": self.answer_id,
            "question": self.question,
            "answer": self.answer,
            "citations": self.citations,
            "rating": self.rating,
            "created_at": self.created_at,
        }


class FeedbackStore:
    """One SQLite file; a lock serialises writers because the API serves requests from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        with self._lock, self._conn:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(_SCHEMA)

    def add(
        self,
        *,
        question: str,
        answer: str,
        citations: list[dict[str, Any]],
        rating: Rating,
        answer_id: str | None = None,
    ) -> FeedbackRecord:
        if rating not in RATINGS:
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        created_at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock, self._conn:
            cursor = self._conn.execute(
                "INSERT INTO feedback (answer_id, question, answer, citations, rating, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (answer_id, question, answer, json.dumps(citations, ensure_ascii=False), rating, created_at),
            )
            row_id = int(cursor.lastrowid or 0)
        return FeedbackRecord(row_id, answer_id, question, answer, citations, rating, created_at)

    def list(self, *, limit: int = 100, rating: Rating | None = None) -> list[FeedbackRecord]:
        """Newest first."""
        query = "SELECT * FROM feedback"
        params: list[Any] = []
        if rating is not None:
            query += " WHERE rating = ?"
            params.append(rating)
        query += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._conn.execute(query, params).fetchall()
        return [_record(row) for row in rows]

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall()
        counts = {rating: 0 for rating in RATINGS}
        counts.update({row[0]: int(row[1]) for row in rows})
        return counts

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _record(row: sqlite3.Row) -> FeedbackRecord:
    return FeedbackRecord(
        id=int(row["id"]),
        answer_id=row["answer_id"],
        question=row["question"],
        answer=row["answer"],
        citations=json.loads(row["citations"]),
        rating=row["rating"],
        created_at=row["created_at"],
    )
