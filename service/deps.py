"""FastAPI dependencies: handlers receive the lifespan's objects through these, never globals."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from core.settings import Settings
from service.admission import AnswerGate
from service.errors import ApiError
from service.metrics import ServiceMetrics
from service.runtime import Runtime
from service.uploads import UploadStore


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_uploads(request: Request) -> UploadStore:
    return request.app.state.uploads


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_metrics(request: Request) -> ServiceMetrics:
    return request.app.state.metrics


def get_gate(request: Request) -> AnswerGate:
    return request.app.state.gate


MISSING_KEY = "this endpoint needs the header 'Authorization: Bearer <API key>'"


def has_write_access(authorization: str, settings: Settings) -> bool:
    """True when no API key is configured, or the Authorization header carries it."""
    if settings.api_key is None:
        return True
    token = authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else ""
    return hmac.compare_digest(token.encode(), settings.api_key.encode())


def require_api_key(request: Request, settings: Annotated[Settings, Depends(get_settings_dep)]) -> None:
    """Write endpoints need `Authorization: Bearer KEY` when the deployment sets an API key."""
    if not has_write_access(request.headers.get("authorization", ""), settings):
        raise ApiError(401, "unauthorized", MISSING_KEY)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
UploadsDep = Annotated[UploadStore, Depends(get_uploads)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
MetricsDep = Annotated[ServiceMetrics, Depends(get_metrics)]
GateDep = Annotated[AnswerGate, Depends(get_gate)]
WriteAccess = Depends(require_api_key)
