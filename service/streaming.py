"""Server-Sent Events from the blocking answer pipeline, closed when the client goes away."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Generator
from typing import Any

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
    """Starlette's StreamingResponse, plus closing its events however the response ends.

    The model's worker never waits on a reader, so this guards no lock; it stops wasted work. Starlette
    abandons the body iterator when the client leaves, and the suspended generators are only finalized
    when the garbage collector finds them (seconds to never), while the worker writes the rest of the
    answer's max_tokens for nobody. Closing cancels the job at its next token. Closing only sets the
    job's cancel event, so it runs inline: no thread, no shielded await.
    """

    def __init__(
        self, events: Generator[str, None, None], on_close: Callable[[], None] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(events, **kwargs)
        self._events = events
        self._on_close = on_close  # e.g. frees the answer's admission slot, even if no event was ever read

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with contextlib.suppress(ValueError):  # still inside next() in a thread: cancelled when collected
                self._events.close()
            if self._on_close is not None:
                self._on_close()
