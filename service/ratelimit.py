"""Requests per client per minute: a sliding window in memory (one API process per index)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class RateLimiter:
    """Timestamps of each address's requests in the last window; addresses quiet for a window are dropped,
    so a flood from many addresses (IPv6 hands out millions) holds memory for one window's worth only."""

    def __init__(self, per_minute: int, window_s: float = 60.0):
        self.per_minute = per_minute
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._swept = float("-inf")  # the first request sweeps (nothing) and starts the clock
        self._lock = threading.Lock()

    def _forget_quiet(self, now: float) -> None:
        """At most once a window: drop the addresses whose last request is a window old (lock held)."""
        if now - self._swept < self.window_s:
            return
        self._swept = now
        for client in [c for c, hits in self._hits.items() if not hits or now - hits[-1] >= self.window_s]:
            del self._hits[client]

    def allow(self, client: str, now: float | None = None) -> bool:
        """Record one request from `client`; False when it is over its budget for the window."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._forget_quiet(now)
            hits = self._hits[client]
            while hits and now - hits[0] >= self.window_s:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            return True

    def retry_after(self, client: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(client)
            return max(1, int(self.window_s - (now - hits[0])) + 1) if hits else 1
