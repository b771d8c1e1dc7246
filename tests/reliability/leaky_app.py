"""The real app with a deliberate leak of LEAK_KB per request: proof that the memory check can fail.

Served by `uvicorn tests.reliability.leaky_app:create_app --factory` in the memory test's control run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from service.app import create_app as real_app

LEAK_KB = 10  # about one kept answer with its citations
KEPT: list[bytes] = []


def create_app() -> FastAPI:
    app = real_app()

    @app.middleware("http")
    async def leak(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        KEPT.append(b"x" * (LEAK_KB * 1024))  # written, so its pages count in RSS
        return await call_next(request)

    return app
