"""HTTP error translation, said once: every error leaves /api/* as {"error", "detail"} and /v1/* (the
OpenAI-compatible routes) as OpenAI's {"error": {"message", "type", "param", "code"}}, which OpenAI clients read."""

from __future__ import annotations

import errno
import logging
import re
import sqlite3

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.errors import ModelError
from service import uploads
from service.admission import Busy, GenerationTimeout
from service.study.scope import ScopeError

log = logging.getLogger("notecite")


class ApiError(Exception):
    """Raised by routes; `detail` names the bad value and the fix; `param` the request field it is about."""

    def __init__(self, status: int, error: str, detail: str, param: str | None = None):
        super().__init__(detail)
        self.status, self.error, self.detail, self.param = status, error, detail, param


UPLOAD_STATUS: dict[type[uploads.UploadError], tuple[int, str]] = {
    uploads.BadFileName: (400, "bad file name"),
    uploads.UnsupportedType: (415, "unsupported file type"),
    uploads.FileTooLarge: (413, "file too large"),
    uploads.EmptyFile: (400, "empty file"),
    uploads.NotIndexed: (400, "file not indexed"),
    uploads.UnknownDocument: (404, "unknown document"),
    uploads.NotDeletable: (409, "not deletable"),
    uploads.AlreadyExists: (409, "already exists"),
}


HTTP_ERRORS = {400: "bad request", 404: "not found", 405: "method not allowed", 413: "request too large"}
DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


# RFC 9110: a 401 names the scheme it wants, so a client knows to send `Authorization: Bearer KEY`
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="notecite"'}

OPENAI_PREFIX = "/v1/"
# the `code`s OpenAI's own API sends for these; any other error's code is its words, snake_cased
OPENAI_CODES = {
    "unauthorized": "invalid_api_key",
    "no such model": "model_not_found",
    "rate limited": "rate_limit_exceeded",
}


def error_body(error: str, detail: str) -> dict[str, str]:
    return {"error": error, "detail": detail}


def is_openai(path: str) -> bool:
    return path.startswith(OPENAI_PREFIX) or path == OPENAI_PREFIX.rstrip("/")


def openai_status(status: int) -> int:
    """OpenAI answers every invalid request 400; /api/* keeps 422 for a well-formed request it cannot take."""
    return 400 if status == 422 else status


def openai_type(status: int) -> str:
    if status == 429:
        return "requests"  # OpenAI's type for a request-rate limit ("tokens" for a token-rate one)
    return "server_error" if status >= 500 else "invalid_request_error"


def openai_error_body(status: int, error: str, detail: str, param: str | None = None) -> dict[str, dict]:
    code = OPENAI_CODES.get(error) or re.sub(r"\W+", "_", error.strip().lower())
    return {"error": {"message": detail, "type": openai_type(status), "param": param, "code": code}}


def error_payload(path: str, status: int, error: str, detail: str, param: str | None = None) -> dict:
    """The error body a client of `path` reads: OpenAI's under /v1, ours elsewhere."""
    return openai_error_body(status, error, detail, param) if is_openai(path) else error_body(error, detail)


def error_response(
    path: str,
    status: int,
    error: str,
    detail: str,
    headers: dict[str, str] | None = None,
    param: str | None = None,
    code: str | None = None,
) -> JSONResponse:
    """The one place an error becomes a response, in the shape the route's clients read (`code` overrides
    the OpenAI code derived from `error`, e.g. pydantic's name for what a value broke)."""
    if not is_openai(path):
        return JSONResponse(error_body(error, detail), status_code=status, headers=headers)
    body = openai_error_body(status, code or error, detail, param)
    return JSONResponse(body, status_code=openai_status(status), headers=headers)


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "What went wrong, in a few words."},
        "detail": {"type": "string", "description": "The bad value and how to fix it."},
    },
}
OPENAI_ERROR_SCHEMA = {
    "title": "OpenAIError",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type", "param", "code"],
            "properties": {
                "message": {"type": "string", "description": "The bad value and how to fix it."},
                "type": {"type": "string", "description": "invalid_request_error, requests (429) or server_error."},
                "param": {"type": ["string", "null"], "description": "The request field at fault, if one is."},
                "code": {"type": ["string", "null"], "description": "What went wrong, machine-readable."},
            },
        }
    },
}


def document_errors(app: FastAPI) -> None:
    """The OpenAPI schema shows the errors as they are: FastAPI's default 422 body (a list of validation
    errors) is replaced by the service's {"error", "detail"}, /v1 operations get OpenAI's error object, and
    every operation names its 4XX/5XX."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("ValidationError", None)
        components["HTTPValidationError"] = ERROR_SCHEMA
        components["OpenAIError"] = OPENAI_ERROR_SCHEMA
        for path, operations in schema.get("paths", {}).items():
            name = "OpenAIError" if is_openai(path) else "HTTPValidationError"
            error = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if is_openai(path):  # OpenAI answers invalid requests 400, never 422
                    responses.pop("422", None)
                    responses.setdefault("400", {"description": "Invalid request: error.message says why", **error})
                responses.setdefault("4XX", {"description": "Refused: the body says why", **error})
                responses.setdefault("5XX", {"description": "Busy, timed out or failed", **error})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def validation_problem(error: dict) -> tuple[str, str]:
    """One pydantic error as (the field's dotted path, 'path: message')."""
    field = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "header", "form"))
    value = error.get("input")
    got = f" (got {value})" if isinstance(value, int | float) and not isinstance(value, bool) else ""
    return field, f"{field or 'body'}: {error.get('msg')}{got}"


def install_error_handlers(app: FastAPI) -> None:
    document_errors(app)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        headers = UNAUTHORIZED_HEADERS if exc.status == 401 else None
        return error_response(request.url.path, exc.status, exc.error, exc.detail, headers, exc.param)

    @app.exception_handler(ScopeError)
    async def _scope_error(request: Request, exc: ScopeError) -> JSONResponse:
        """An unknown document or a span outside it, whichever route's scope named it."""
        return error_response(request.url.path, 422, "bad scope", str(exc), param="scope")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        path, error = request.url.path, HTTP_ERRORS.get(exc.status_code, "http error")
        if exc.status_code == 413:  # a body cut off mid-stream: Starlette's limiter says only "Content Too Large"
            return error_response(path, 413, error, "the request body is over the server's limit")
        detail = str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route {request.method} {path}; GET /docs lists them"
        # exc.headers carries a 405's Allow (which methods to use instead) and a 401's WWW-Authenticate
        return error_response(path, exc.status_code, error, detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        path, errors = request.url.path, exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(path, 400, "bad request", "the body is not valid JSON")
        content_type = request.headers.get("content-type", "")
        if any(tuple(e.get("loc", ())) == ("body",) for e in errors) and "json" not in content_type:
            # `curl -d` sends form encoding: the JSON body is then read as one string, "not a dictionary"
            detail = f"send the body as JSON with Content-Type: application/json (got {content_type or 'none'!r})"
            return error_response(path, 400, "bad request", detail)
        problems = [validation_problem(e) for e in errors]
        detail = "; ".join(message for _, message in problems)
        param, code = problems[0][0] or None, str(errors[0].get("type", "invalid_value"))
        return error_response(path, 422, "invalid request", detail, param=param, code=code)

    @app.exception_handler(uploads.UploadError)
    async def _upload_error(request: Request, exc: uploads.UploadError) -> JSONResponse:
        status, error = UPLOAD_STATUS[type(exc)]
        return error_response(request.url.path, status, error, str(exc))

    @app.exception_handler(Busy)
    async def _busy(request: Request, exc: Busy) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)}
        return error_response(request.url.path, 503, "busy", str(exc), headers)

    @app.exception_handler(GenerationTimeout)
    async def _timeout(request: Request, exc: GenerationTimeout) -> JSONResponse:
        return error_response(request.url.path, 504, "generation timed out", str(exc))

    @app.exception_handler(OSError)
    async def _os_error(request: Request, exc: OSError) -> JSONResponse:
        if exc.errno in DISK_FULL:  # the index and the uploads are as they were: say so, not "internal error"
            log.error("storage full: %s", exc)
            detail = "the server's disk is full; nothing was changed (free space, then retry)"
            return error_response(request.url.path, 507, "storage full", detail)
        return await _unexpected(request, exc)

    @app.exception_handler(sqlite3.OperationalError)
    async def _sqlite_error(request: Request, exc: sqlite3.OperationalError) -> JSONResponse:
        if "full" in str(exc) or "too large" in str(exc):  # SQLite's words for ENOSPC and EFBIG
            return await _os_error(request, OSError(errno.ENOSPC, str(exc)))
        return await _unexpected(request, exc)

    @app.exception_handler(ModelError)
    async def _model_error(request: Request, exc: ModelError) -> JSONResponse:
        return error_response(request.url.path, 503, "model error", str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)  # details in the log; paths never go to the client
        return error_response(request.url.path, 500, "internal error", "unexpected server error; see the server log")
