"""The FastAPI app: the lifespan builds the index and models once; routes stay thin."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from core.settings import Settings, get_settings
from service.admission import AnswerGate
from service.deps import MISSING_KEY, has_write_access
from service.errors import UNAUTHORIZED_HEADERS, error_response, install_error_handlers
from service.feedback import FeedbackStore
from service.mcp_server import build_mcp_server
from service.memory import limit_malloc_arenas
from service.metrics import ServiceMetrics
from service.ratelimit import RateLimiter
from service.routes import ask, chat, documents, guide, quiz, system, watch
from service.routes.feedback import router as feedback_router
from service.runtime import Runtime
from service.security import UPLOAD_PATH, install_security
from service.uploads import UploadStore
from service.watch import NotesWatcher

STATIC_DIR = Path(__file__).parent / "static"
RATE_LIMITED_PREFIXES = ("/api/", "/v1/")
log = logging.getLogger("notecite")


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the app; `runtime` may be passed in to share loaded models between apps in one process."""
    settings = settings or get_settings()
    limit_malloc_arenas()  # before the request threads exist: RSS stays bounded under concurrency

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = runtime or await run_in_threadpool(Runtime.build, settings)
        app.state.uploads = UploadStore(app.state.runtime)
        app.state.feedback = FeedbackStore(settings.index_dir.parent / "feedback.sqlite3")
        app.state.watcher = NotesWatcher(app.state.runtime).start() if settings.watch else None
        log.info("notecite ready: serving generation %s", app.state.runtime.served.generation)
        async with mcp_server.session_manager.run():  # the MCP endpoint's sessions live as long as the app
            yield
        if app.state.watcher is not None:
            app.state.watcher.stop()
        app.state.feedback.close()

    # Swagger UI and ReDoc from a package, not a CDN: /docs must work on an offline machine
    app = FastAPIOffline(
        title="notecite",
        version="0.1.0",
        description="Answers from your own notes, with citations to the exact characters.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    # MCP over streamable HTTP at /mcp: the same tools as `notecite mcp`, on the served generation
    mcp_server = build_mcp_server(lambda: app.state.runtime, settings.limits)
    mcp_app = mcp_server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, host=settings.host)
    app.router.routes.extend(mcp_app.routes)
    app.state.metrics = metrics = ServiceMetrics()
    app.state.limiter = limiter = RateLimiter(settings.limits.rate_limit_per_minute)
    app.state.gate = AnswerGate(settings.limits)
    install_error_handlers(app)

    @app.middleware("http")
    async def rate_limit(request: Request, call_next):  # noqa: ANN001, ANN202
        client = request.client.host if request.client else "unknown"
        if request.url.path.startswith(RATE_LIMITED_PREFIXES) and not limiter.allow(client):
            detail = f"more than {settings.limits.rate_limit_per_minute} requests a minute; slow down"
            headers = {"Retry-After": str(limiter.retry_after(client))}
            return error_response(request.url.path, 429, "rate limited", detail, headers)
        return await call_next(request)

    @app.middleware("http")
    async def guard_uploads(request: Request, call_next):  # noqa: ANN001, ANN202
        """Refuse an upload without the key by its headers, before its body is received (size: security)."""
        authorized = has_write_access(request.headers.get("authorization", ""), settings)
        if request.method == "POST" and request.url.path == UPLOAD_PATH and not authorized:
            return error_response(request.url.path, 401, "unauthorized", MISSING_KEY, UNAUTHORIZED_HEADERS)
        return await call_next(request)

    app.middleware("http")(metrics.middleware)
    install_security(app, settings)  # outermost: its headers reach every response, 429s and 401s too

    for module in (ask, documents, chat, system, guide, quiz, watch):
        app.include_router(module.router)
    app.include_router(feedback_router)

    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

        @app.get("/", include_in_schema=False)
        def index() -> FileResponse:
            return FileResponse(STATIC_DIR / "index.html")

    return app
