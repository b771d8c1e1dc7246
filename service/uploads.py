"""Uploaded notes: validate, store beside the notes, index, and undo when indexing refuses the file.

Raises the domain errors below; service/errors.py maps them to HTTP status codes. The user's own notes
folder is never written: only files in the uploads dir can be replaced or deleted.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import SkippedFile
from ingest.loaders import NOTE_SUFFIXES, load_file
from ingest.pipeline import UPLOAD_PREFIX, IngestReport
from ingest.schema import DocumentRecord, sha256_bytes
from ingest.store import ingest_lock
from service.runtime import Runtime

UPLOAD_TYPES = NOTE_SUFFIXES
# Letters (any script), digits and the punctuation real file names carry ("Lecture 8 – Regression (final).pdf",
# "Cours d'algèbre, partie 2.md"); never a path separator, nor what URLs, the shell, Windows or `DOC#Section` read
SAFE_PUNCTUATION = "-_.,'’()[]&+!@=~–—"
SAFE_NAME = re.compile(rf"[\w {re.escape(SAFE_PUNCTUATION)}]+")  # fullmatch: "$" would let a final "\n" in
MAX_NAME_BYTES = 200  # NAME_MAX is 255 bytes; the hidden temporary copy adds a prefix
DEVICE_NAMES = frozenset(["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in range(10)])
TMP_PREFIX, BACKUP_PREFIX = ".upload-", ".previous-"  # hidden: ingest never reads them


class UploadError(Exception):
    """An upload or delete that cannot be done; the message names the bad value and the fix."""


class BadFileName(UploadError): ...


class UnsupportedType(UploadError): ...


class FileTooLarge(UploadError): ...


class EmptyFile(UploadError): ...


class NotIndexed(UploadError):
    """Ingest would skip the file (unreadable, not text, over the size limit)."""


class UnknownDocument(UploadError): ...


class NotDeletable(UploadError):
    """The document lives in the user's notes folder, which the service never writes."""


class AlreadyExists(UploadError):
    """An upload under a taken name, from a client that asked not to replace it (overwrite=false)."""


@dataclass(frozen=True)
class Previous:
    """The upload a new one replaced: what it was, so the client can tell (and say) what it overwrote."""

    bytes: int
    sha256: str


@dataclass(frozen=True)
class Stored:
    """An upload as indexed: its record, the ingest that indexed it, and the file it replaced (None: new)."""

    record: DocumentRecord
    report: IngestReport
    previous: Previous | None


class UploadStore:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self._lock = threading.RLock()  # held across write -> ingest -> restore: one index change at a time
        if recover(self.settings.uploads):  # a server killed mid-upload: back to the last complete state
            self.runtime.reingest()

    def add(self, filename: str, data: bytes, overwrite: bool = True) -> Stored:
        """Store an uploaded note and index it; a file ingest rejects is removed again (index unchanged).
        An upload of a name already uploaded replaces it (the result says so), or with `overwrite` False is
        refused with AlreadyExists."""
        name = self.check(filename, data)
        target, doc = self.settings.uploads / name, UPLOAD_PREFIX + name
        with self._lock, ingest_lock(self.settings.index_dir):  # other workers' uploads and ingests wait
            previous = previous_of(target)  # under the lock: no other upload can take the name meanwhile
            if previous is not None and not overwrite:
                raise AlreadyExists(
                    f"{doc!r} already exists ({previous.bytes} bytes); upload under another name, or send "
                    "overwrite=true to replace it"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp, backup = target.with_name(TMP_PREFIX + name), target.with_name(BACKUP_PREFIX + name)
            try:  # a full disk or a kill leaves at most a hidden partial copy, never a partial note
                tmp.write_bytes(data)
                load_file(tmp, doc, max_file_bytes=self.settings.limits.max_file_bytes)  # ingest's checks first
            except BaseException as exc:
                tmp.unlink(missing_ok=True)
                if isinstance(exc, SkippedFile):
                    raise NotIndexed(f"{name}: {exc}") from None
                raise
            if target.exists():
                target.replace(backup)  # renames need no free space, so undoing never fails for lack of it
            tmp.replace(target)
            try:
                report = self.runtime.reingest()  # fails before its switch: the old generation stays served
            except BaseException:
                restore(target, backup)
                raise
            if doc in (skipped := dict(report.skipped)):
                restore(target, backup)
                self.runtime.reingest()
                raise NotIndexed(f"{name}: {skipped[doc]}")
            backup.unlink(missing_ok=True)
            record = next(d for d in self.runtime.served.reader.documents() if d.doc == doc)
        return Stored(record, report, previous)

    def check(self, filename: str, data: bytes) -> str:
        """The upload's file name when the file may be stored; otherwise the error that says why not."""
        name = unicodedata.normalize("NFC", filename or "")  # macOS spells "è" as "e" and a combining accent
        if not SAFE_NAME.fullmatch(name) or name.startswith(".") or Path(name).name != name:
            raise BadFileName(f"{filename!r}: use letters, digits, spaces and {' '.join(SAFE_PUNCTUATION)}")
        if len(name.encode()) > MAX_NAME_BYTES:
            raise BadFileName(f"the file name is {len(name.encode())} bytes long; use at most {MAX_NAME_BYTES}")
        if name.split(".")[0].strip().lower() in DEVICE_NAMES:
            raise BadFileName(f"{name!r} is a device name on Windows; rename the file")
        if Path(name).suffix.lower() not in UPLOAD_TYPES:
            raise UnsupportedType(f"{name}: upload one of {', '.join(sorted(UPLOAD_TYPES))}")
        limit = self.settings.limits.max_upload_bytes
        if len(data) > limit:
            raise FileTooLarge(f"{name} is over the upload limit of {limit} bytes")  # read only to limit + 1
        if not data.strip():
            raise EmptyFile(f"{name} is empty; nothing to index")
        return name

    def delete(self, doc: str) -> IngestReport:
        """Remove an uploaded note from disk and index; notes in the notes dir are the user's own files."""
        with self._lock, ingest_lock(self.settings.index_dir):
            if doc not in {d.doc for d in self.runtime.served.reader.documents()}:
                raise UnknownDocument(f"{doc!r} is not in the index; GET /api/documents lists them")
            if not doc.startswith(UPLOAD_PREFIX):
                raise NotDeletable(f"{doc!r} lives in the notes folder ({self.settings.notes_dir}); remove it there")
            (self.settings.uploads / doc.removeprefix(UPLOAD_PREFIX)).unlink(missing_ok=True)
            return self.runtime.reingest()


def previous_of(target: Path) -> Previous | None:
    """The upload stored at `target` now, if any."""
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        return None
    return Previous(len(data), sha256_bytes(data))


def restore(target: Path, backup: Path) -> None:
    """The note as it was before the upload: its backup renamed back, or no file when there was none."""
    if backup.exists():
        backup.replace(target)
    else:
        target.unlink(missing_ok=True)


def recover(uploads: Path) -> bool:
    """Undo what a killed upload left: partial hidden copies go, a replaced note gets its old text back."""
    changed = False
    for debris in uploads.glob(TMP_PREFIX + "*") if uploads.is_dir() else ():
        debris.unlink(missing_ok=True)
    for backup in uploads.glob(BACKUP_PREFIX + "*") if uploads.is_dir() else ():
        restore(uploads / backup.name.removeprefix(BACKUP_PREFIX), backup)
        changed = True
    return changed
