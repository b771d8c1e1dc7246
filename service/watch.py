"""The live notes folder: a watchfiles thread re-indexes the notes dir incrementally as files are edited,
added or deleted, and a status board says, per file, whether it is indexed, being indexed, or skipped and
why (GET /api/watch; the Documents panel polls it).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watchfiles import watch

from ingest.loaders import NOTE_SUFFIXES, SUPPORTED_SUFFIXES, doc_name
from ingest.pipeline import walk
from ingest.store import ingest_lock

log = logging.getLogger("notecite")
DEBOUNCE_MS = 300  # an editor's save is several events; one re-index covers them


@dataclass(frozen=True)
class FileStatus:
    doc: str
    status: str  # "indexed", "indexing", "skipped" or "error"
    reason: str = ""
    updated_at: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class NotesWatcher:
    """Watches `runtime.settings.notes_dir`; each batch of changes is one incremental re-index."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.notes_dir = Path(runtime.settings.notes_dir)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pending: dict[str, str] = {}  # doc -> "indexing" while a re-index runs
        self._failed: dict[str, str] = {}  # doc -> why its latest re-index failed (skip reasons: runtime.skipped)
        self._thread: threading.Thread | None = None
        self.reindexed = 0  # re-indexes done (the tests wait on it)

    def start(self) -> NotesWatcher:
        if self.notes_dir.is_dir():
            self._thread = threading.Thread(target=self._run, name="notes-watcher", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def watching(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        catch_up = False
        while not self._stop.is_set():
            try:
                self._watch(catch_up)
            except Exception:  # watchfiles gives up on a change to a name that is not UTF-8 (b"caf\xe9.md")
                log.exception("watching %s failed; watching it again", self.notes_dir)
                catch_up = not self._stop.wait(1.0)

    def _watch(self, catch_up: bool = False) -> None:
        """With `catch_up` (after a failed watch), what changed meanwhile is re-indexed once the new watch runs: a
        re-index before it lost a note written while it read the folder ("heron.md" read empty, then never again)."""
        changes_seen = watch(
            self.notes_dir,
            stop_event=self._stop,
            debounce=DEBOUNCE_MS,
            step=50,
            recursive=True,
            rust_timeout=200 if catch_up else None,
            yield_on_timeout=catch_up,
        )
        for changes in changes_seen:
            if catch_up:
                catch_up = False
                self.reindex([])  # whatever changed meanwhile, changes from now on come as events
                continue
            paths = {(Path(path), self.doc_of(Path(path))) for _, path in changes}
            docs = sorted({doc for path, doc in paths if doc and self.concerns_notes(path, doc)})
            if docs:
                self.reindex(docs)

    def concerns_notes(self, path: Path, doc: str) -> bool:
        """Whether a change at `path` can change the index: a note, a folder (moved or deleted with its notes) or
        a link. A log or CSV written every second beside the notes re-indexed the whole folder each time."""
        if Path(doc).suffix.lower() in SUPPORTED_SUFFIXES or path.is_dir() or path.is_symlink():
            return True
        if path.exists():
            return False
        return any(d.doc.startswith(doc + "/") for d in self.runtime.served.reader.documents())

    def doc_of(self, path: Path) -> str:
        """The doc name ingest gives `path`: a symlink is named where it lies, not where it points."""
        try:
            rel = (path.parent.resolve() / path.name).relative_to(self.notes_dir.resolve())
        except ValueError:
            return ""
        return "" if any(part.startswith(".") for part in rel.parts) else doc_name(rel.as_posix())

    def reindex(self, docs: list[str]) -> None:
        stamp = now()
        with self._lock:
            self._pending.update({doc: stamp for doc in docs})
        try:
            with ingest_lock(self.runtime.settings.index_dir):  # uploads and other processes wait their turn
                report = self.runtime.reingest()
            with self._lock:
                self._failed = {}
            log.info("notes changed (%s): %s", ", ".join(docs[:5]), report.summary())
        except Exception as exc:  # the watcher must outlive a bad file or a full disk
            log.exception("re-index after a change failed")
            with self._lock:
                self._failed.update({doc: f"re-index failed: {exc}" for doc in docs})
        finally:
            with self._lock:
                for doc in docs:
                    self._pending.pop(doc, None)
                self.reindexed += 1

    def statuses(self) -> list[FileStatus]:
        """Every file in the notes folder (and every indexed note of it), with its status."""
        indexed = {d.doc: d.indexed_at for d in self.runtime.served.reader.documents()}
        on_disk: set[str] = set()
        if self.notes_dir.is_dir():
            for path in walk(self.notes_dir):  # a folder deleted meanwhile is no error 500
                doc = self.doc_of(path)
                if doc and (path.is_file() or path.is_symlink()):  # a linked folder or a broken link: skipped
                    on_disk.add(doc)
        with self._lock:
            pending, skipped = dict(self._pending), {**self.runtime.skipped, **self._failed}
        out = []
        for doc in sorted(on_disk | set(pending)):
            if doc in pending:
                out.append(FileStatus(doc, "indexing", "", pending[doc]))
            elif doc in indexed:
                out.append(FileStatus(doc, "indexed", "", indexed[doc]))
            elif doc in skipped:
                out.append(FileStatus(doc, "skipped", skipped[doc]))
            elif Path(doc).suffix.lower() not in NOTE_SUFFIXES:
                out.append(FileStatus(doc, "skipped", f"not a note type ({', '.join(sorted(NOTE_SUFFIXES))})"))
            else:
                out.append(FileStatus(doc, "skipped", "not indexed yet (see the server log)"))
        return out
