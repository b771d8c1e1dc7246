"""Ingestion's domain errors; the CLI and the service translate them at their edge."""


class IngestError(Exception):
    """Base class: the message names the bad input and what to do about it."""


class NotesDirError(IngestError):
    """The notes directory does not exist or is not a directory (fatal)."""


class SkippedFile(IngestError):
    """One file cannot be indexed (empty, binary, too large, unreadable); the rest go on."""


class IndexNotFound(IngestError):
    """No index generation has been written yet at the given index dir."""
