"""Admission to the answer model: a bounded queue and a deadline, so a flood costs 503s, not threads.

The model answers one question at a time (models.generator runs one job after another). Without a
bound, every waiting request holds a server thread and a growing queue; here at most
`limits.max_pending_answers` answers are in progress or waiting, one more is refused at once with
503 and a Retry-After estimated from recent answer times, and an answer still being written after
`limits.generation_timeout_s` is stopped (its model job cancelled) and reported as a timeout.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from typing import TypeVar

from core.settings import LimitSettings

T = TypeVar("T")


class Busy(Exception):
    """Every answer slot is taken; `retry_after` is the seconds until one is likely free."""

    def __init__(self, pending: int, retry_after: int) -> None:
        super().__init__(f"{pending} answers are in progress or waiting; try again in {retry_after} s")
        self.retry_after = retry_after


class GenerationTimeout(Exception):
    """An answer took longer than limits.generation_timeout_s; its model job has been cancelled."""


class Slot:
    """One admitted answer; released once, whichever of the route or the response finishes it."""

    def __init__(self, gate: AnswerGate) -> None:
        self.gate = gate
        self.began = time.monotonic()
        self.deadline = self.began + gate.timeout_s
        self._released = False

    def release(self) -> None:
        with self.gate._lock:
            if self._released:
                return
            self._released = True
            self.gate._pending -= 1
            took = time.monotonic() - self.began
            self.gate._mean_s = 0.8 * self.gate._mean_s + 0.2 * took  # recent answers count most

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()

    def timed(self, events: Iterator[T]) -> Iterator[T]:
        """`events` until the deadline; past it the source is closed (cancelling the model job)."""
        try:
            for event in events:
                yield event
                if time.monotonic() > self.deadline:
                    raise GenerationTimeout(
                        f"the answer took longer than {self.gate.timeout_s:g} s (limits.generation_timeout_s)"
                    )
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()


class AnswerGate:
    def __init__(self, limits: LimitSettings) -> None:
        self.capacity = limits.max_pending_answers
        self.timeout_s = limits.generation_timeout_s
        self._pending = 0
        self._mean_s = 1.0  # seconds per answer, until measured
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        return self._pending

    def admit(self) -> Slot:
        """A slot for one answer, or Busy when `capacity` answers are already in progress or waiting."""
        with self._lock:
            if self._pending >= self.capacity:
                raise Busy(self._pending, max(1, math.ceil(self._mean_s)))  # when the head of the queue is done
            self._pending += 1
        return Slot(self)
