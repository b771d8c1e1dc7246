"""HTTP error translation: every error leaves the service as JSON {"error", "detail"}."""

from __future__ import annotations

import errno
import logging
import sqlite3

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.errors import ModelError
from service import uploads
from service.admission import Busy, GenerationTimeout

log = logging.getLogger("notecite")


class ApiError(Exception):
    """Raised by routes; `detail` names the bad value and the fix."""

    def __init__(self, status: int, error: str, detail: str):
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail


UPLOAD_STATUS: dict[type[uploads.UploadError], tuple[int, str]] = {
    uploads.BadFileName: (400, "bad file name"),
    uploads.UnsupportedType: (415, "unsupported file type"),
    uploads.FileTooLarge: (413, "file too large"),
    uploads.EmptyFile: (400, "empty file"),
    uploads.NotIndexed: (400, "file not indexed"),
    uploads.UnknownDocument: (404, "unknown document"),
    uploads.NotDeletable: (409, "not deletable"),
}


HTTP_ERRORS = {400: "bad request", 404: "not found", 405: "method not allowed", 413: "request too large"}
DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


# RFC 9110: a 401 names the scheme it wants, so a client knows to send `Authorization: Bearer KEY`
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="notecite"'}


def error_body(error: str, detail: str) -> dict[str, str]:
    return {"error": error, "detail": detail}


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "What went wrong, in a few words."},
        "detail": {"type": "string", "description": "The bad value and how to fix it."},
    },
}


def document_errors(app: FastAPI) -> None:
    """The OpenAPI schema shows the errors as they are: FastAPI's default 422 body (a list of validation
    errors) is replaced by the service's {"error", "detail"}, and every operation names its 4XX/5XX."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("ValidationError", None)
        components["HTTPValidationError"] = ERROR_SCHEMA
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.setdefault("4XX", {"description": "Refused: the body says why", **error})
                responses.setdefault("5XX", {"description": "Busy, timed out or failed", **error})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    document_errors(app)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        headers = UNAUTHORIZED_HEADERS if exc.status == 401 else None
        return JSONResponse(error_body(exc.error, exc.detail), status_code=exc.status, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        error = HTTP_ERRORS.get(exc.status_code, "http error")
        if exc.status_code == 413:  # a body cut off mid-stream: Starlette's limiter says only "Content Too Large"
            return JSONResponse(error_body(error, "the request body is over the server's limit"), status_code=413)
        # exc.headers carries a 405's Allow (which methods to use instead) and a 401's WWW-Authenticate
        return JSONResponse(error_body(error, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse(error_body("bad request", "the body is not valid JSON"), status_code=400)
        content_type = request.headers.get("content-type", "")
        if any(tuple(e.get("loc", ())) == ("body",) for e in errors) and "json" not in content_type:
            # `curl -d` sends form encoding: the JSON body is then read as one string, "not a dictionary"
            detail = f"send the body as JSON with Content-Type: application/json (got {content_type or 'none'!r})"
            return JSONResponse(error_body("bad request", detail), status_code=400)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'body'}: {e.get('msg')}" for e in errors
        )
        return JSONResponse(error_body("invalid request", problems), status_code=422)

    @app.exception_handler(uploads.UploadError)
    async def _upload_error(_: Request, exc: uploads.UploadError) -> JSONResponse:
        status, error = UPLOAD_STATUS[type(exc)]
        return JSONResponse(error_body(error, str(exc)), status_code=status)

    @app.exception_handler(Busy)
    async def _busy(_: Request, exc: Busy) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)}
        return JSONResponse(error_body("busy", str(exc)), status_code=503, headers=headers)

    @app.exception_handler(GenerationTimeout)
    async def _timeout(_: Request, exc: GenerationTimeout) -> JSONResponse:
        return JSONResponse(error_body("generation timed out", str(exc)), status_code=504)

    @app.exception_handler(OSError)
    async def _os_error(request: Request, exc: OSError) -> JSONResponse:
        if exc.errno in DISK_FULL:  # the index and the uploads are as they were: say so, not "internal error"
            log.error("storage full: %s", exc)
            detail = "the server's disk is full; nothing was changed (free space, then retry)"
            return JSONResponse(error_body("storage full", detail), status_code=507)
        return await _unexpected(request, exc)

    @app.exception_handler(sqlite3.OperationalError)
    async def _sqlite_error(request: Request, exc: sqlite3.OperationalError) -> JSONResponse:
        if "full" in str(exc) or "too large" in str(exc):  # SQLite's words for ENOSPC and EFBIG
            return await _os_error(request, OSError(errno.ENOSPC, str(exc)))
        return await _unexpected(request, exc)

    @app.exception_handler(ModelError)
    async def _model_error(_: Request, exc: ModelError) -> JSONResponse:
        return JSONResponse(error_body("model error", str(exc)), status_code=503)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)  # details in the log; paths never go to the client
        return JSONResponse(error_body("internal error", "unexpected server error; see the server log"), 500)
