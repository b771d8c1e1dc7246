"""What every response carries and what every request may be: security headers, a body cap, CORS.

The chat page has no inline script or style, so its Content-Security-Policy forbids everything but the
page's own files; every other response still says nosniff, no referrer and no framing. CORS stays
closed (no Access-Control-* headers at all) unless the deployment names the origins it trusts.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings
from service.errors import error_payload

UPLOAD_PATH = "/api/documents"
MULTIPART_OVERHEAD = 64 * 1024  # form boundaries and headers around the uploaded file itself
UI_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def is_ui(path: str) -> bool:
    return path == "/" or path.startswith("/static/")


def security_headers(path: str) -> dict[str, str]:
    """The headers a response to `path` gets (Swagger UI at /docs needs its inline script, so it keeps
    only frame-ancestors of the page's policy)."""
    csp = UI_CSP if is_ui(path) else "frame-ancestors 'none'"
    return {**EVERY_RESPONSE, "Content-Security-Policy": csp}


class SecurityMiddleware:
    """Pure ASGI (no buffering, so streamed answers stay streamed): caps the body, adds the headers."""

    def __init__(self, app: ASGIApp, body_limit: Callable[[str, str], int]) -> None:
        self.app = app
        self.body_limit = body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limit = self.body_limit(scope["method"], path)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"").decode("latin-1")
        if length.isdigit() and int(length) > limit:
            await too_large(send, path, f"the request body is {length} bytes; the limit is {limit}")
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.lower().encode(), v.encode()) for k, v in security_headers(path).items()]
                names = {k for k, _ in extra}
                message = {**message, "headers": [h for h in message.get("headers", []) if h[0] not in names] + extra}
            await send(message)

        # a body without Content-Length is counted as it arrives: Starlette's limiter raises past `limit`,
        # FastAPI turns that into an HTTP 413, service.errors into the JSON error shape
        await RequestBodyLimitMiddleware(self.app, max_body_size=limit)(scope, receive, send_with_headers)


async def too_large(send: Send, path: str, detail: str) -> None:
    body = json.dumps(error_payload(path, 413, "request too large", detail)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in security_headers(path).items()]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install_security(app: FastAPI, settings: Settings) -> None:
    """Headers and body caps on every response; CORS only for the origins the settings name."""
    limits = settings.limits

    def body_limit(method: str, path: str) -> int:
        if method == "POST" and path == UPLOAD_PATH:
            return limits.max_upload_bytes + MULTIPART_OVERHEAD
        return limits.max_body_bytes

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After"],  # a browser client reads when to retry a 429 or a busy 503
        )
    app.add_middleware(SecurityMiddleware, body_limit=body_limit)
