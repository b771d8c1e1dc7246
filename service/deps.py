"""FastAPI dependencies: handlers receive the lifespan's objects through these, never globals."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from service.errors import ApiError
from service.metrics import ServiceMetrics
from service.resources import Resources
from service.settings import Settings


def get_resources(request: Request) -> Resources:
    return request.app.state.resources


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_metrics(request: Request) -> ServiceMetrics:
    return request.app.state.metrics


def require_api_key(request: Request, settings: Annotated[Settings, Depends(get_settings_dep)]) -> None:
    """Write endpoints need `Authorization: Bearer KEY` when the deployment sets an API key."""
    if settings.api_key is None:
        return
    given = request.headers.get("authorization", "")
    token = given.removeprefix("Bearer ").strip() if given.startswith("Bearer ") else ""
    if not hmac.compare_digest(token.encode(), settings.api_key.encode()):
        raise ApiError(401, "unauthorized", "this endpoint needs the header 'Authorization: Bearer <API key>'")


ResourcesDep = Annotated[Resources, Depends(get_resources)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
MetricsDep = Annotated[ServiceMetrics, Depends(get_metrics)]
WriteAccess = Depends(require_api_key)
