"""One way to fingerprint the code behind a rule whose output an index stores (the passages a parser cut, the
tokens BM25 counted): a digest of the source files as this process loaded them, the libraries they call and the
Unicode tables. Each rule digests its own files at import: a server left running after a `git pull` runs the
code it loaded, and must not record the new code's digest for what its old code made."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path


def library_version(name: str) -> str:
    """`name==version` of an installed distribution, or `name absent`."""
    try:
        return f"{name}=={metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return f"{name} absent"


def source_digest(files: Iterable[Path], libraries: Iterable[str] = ()) -> str:
    """sha256 of the Unicode tables' version, each file's folder, name and bytes, and `libraries`' versions."""
    digest = hashlib.sha256(f"unicode {unicodedata.unidata_version}\0".encode())
    for source in files:
        digest.update(f"{source.parent.name}/{source.name}\0".encode() + source.read_bytes() + b"\0")
    for library in libraries:
        digest.update(f"{library_version(library)}\0".encode())
    return digest.hexdigest()
