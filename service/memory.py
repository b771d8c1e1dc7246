"""Bounded memory under concurrency: at most two glibc malloc arenas for the whole server.

glibc gives each thread that allocates under contention an arena of its own (up to 8 per core) and
keeps freed memory in it. The server answers from a pool of up to 40 threads, so RSS grew from 0.8 to
1.5 GB within 200 requests of 16 concurrent clients, and stayed there; with two arenas it grows by
about 0.2 GB (model and caches warming up) and then holds (docs/RELIABILITY.md has the figures).
Equivalent to MALLOC_ARENA_MAX=2, but set from inside, so every way of starting the server gets it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

M_ARENA_MAX = -8  # glibc's mallopt parameter number
MAX_ARENAS = 2
log = logging.getLogger("notecite")


def limit_malloc_arenas(arenas: int = MAX_ARENAS) -> bool:
    """Cap glibc's arenas for threads that start later; False where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # musl, macOS: no mallopt, and no per-thread arena growth to cap
        log.debug("mallopt unavailable; malloc arenas not capped")
        return False
