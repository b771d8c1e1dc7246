"""Server-Sent Events from the blocking answer pipeline, closed when the client goes away."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Generator
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from models.errors import ModelError

log = logging.getLogger("notecite")


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def failure_detail(exc: Exception) -> str:
    """Our model errors say what to do; anything else is logged, not shown (it may name paths)."""
    if isinstance(exc, ModelError):
        return str(exc)
    log.exception("answer stream failed")
    return "the answer model failed; the server log has the details"


class ClosingStreamingResponse(StreamingResponse):
    """A streaming response over a blocking generator that is closed however the response ends.

    Starlette abandons a body iterator when the client goes away, and a paused generator keeps the
    model's lock until the garbage collector finds it; closing it here releases the model at once.
    """

    def __init__(self, events: Generator[str, None, None], **kwargs: Any) -> None:
        super().__init__(events, **kwargs)
        self._events = events

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(self._close)

    def _close(self) -> None:
        with contextlib.suppress(ValueError):  # still running in a worker thread: it stops at its next yield
            self._events.close()
