"""Server-Sent Events from the blocking answer pipeline, closed when the client goes away."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator

import anyio
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

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


async def closing_stream(iterator: Iterator[str]) -> AsyncIterator[str]:
    """Run a blocking generator in the threadpool and close it in every case: on a disconnect the
    pipeline's `closing()` then releases the model at once."""
    try:
        async for item in iterate_in_threadpool(iterator):
            yield item
    finally:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(iterator.close)
