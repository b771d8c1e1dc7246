"""When each quiz card is due: FSRS (the `fsrs` package) over a small SQLite file beside the feedback store.

Rows are keyed by the card's content key (service.study.cards), so a restart or a re-ingest that leaves the
card's text alone finds its schedule again; a card never reviewed is new and due now.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler


def schedule_path(index_dir: Path) -> Path:
    """Beside the feedback store: both outlive index generations."""
    return Path(index_dir).parent / "study.sqlite3"


RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cards (
    key TEXT PRIMARY KEY, doc TEXT NOT NULL, question TEXT NOT NULL, fsrs TEXT NOT NULL,
    due TEXT NOT NULL, reviews INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, rating TEXT NOT NULL, score REAL,
    reviewed_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class CardState:
    due: datetime
    reviews: int


class ScheduleStore:
    """One SQLite file; a lock serialises access because the API serves requests from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.scheduler = Scheduler(enable_fuzzing=False)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False)
        with self._lock, self._conn:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.executescript(_SCHEMA)

    def states(self, keys: list[str]) -> dict[str, CardState]:
        """The state of each key that has been reviewed (a missing key is a new card, due now)."""
        out: dict[str, CardState] = {}
        with self._lock:
            for offset in range(0, len(keys), 500):
                batch = keys[offset : offset + 500]
                marks = ",".join("?" * len(batch))
                rows = self._conn.execute(f"SELECT key, due, reviews FROM cards WHERE key IN ({marks})", batch)
                for key, due, reviews in rows:
                    out[key] = CardState(datetime.fromisoformat(due), int(reviews))
        return out

    def review(
        self, key: str, doc: str, question: str, rating: str, score: float | None = None, now: datetime | None = None
    ) -> CardState:
        """Apply one review; returns the card's new state (when it is due next)."""
        now = now or datetime.now(UTC)
        with self._lock, self._conn:
            row = self._conn.execute("SELECT fsrs, reviews FROM cards WHERE key = ?", (key,)).fetchone()
            card = FsrsCard.from_json(row[0]) if row else FsrsCard(due=now)
            card, _ = self.scheduler.review_card(card, RATINGS[rating], review_datetime=now)
            reviews = (row[1] if row else 0) + 1
            self._conn.execute(
                "INSERT INTO cards (key, doc, question, fsrs, due, reviews) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET fsrs = excluded.fsrs, due = excluded.due, reviews = excluded.reviews",
                (key, doc, question, card.to_json(), card.due.isoformat(), reviews),
            )
            self._conn.execute(
                "INSERT INTO reviews (key, rating, score, reviewed_at) VALUES (?, ?, ?, ?)",
                (key, rating, score, now.isoformat()),
            )
        return CardState(card.due, reviews)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
