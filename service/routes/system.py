"""Liveness, the limits the UI shows, and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from core.settings import Settings
from service.deps import MetricsDep, RuntimeDep, SettingsDep
from service.uploads import UPLOAD_TYPES

router = APIRouter(tags=["system"])


@router.get("/healthz")
def healthz(runtime: RuntimeDep) -> dict:
    """The service is up and serving an index generation."""
    served = runtime.served
    return {
        "status": "ok",
        "generation": served.generation,
        "documents": len(served.reader.documents()),
        "generator": runtime.generator.name if runtime.generator else "none (quotes of the notes)",
    }


class LimitsOut(BaseModel):
    max_question_chars: int
    max_upload_bytes: int
    upload_types: list[str]


def limits_from(settings: Settings) -> dict:
    """The request limits a client should know before it sends: the one place they are read from settings."""
    return {
        "max_question_chars": settings.limits.max_question_chars,
        "max_upload_bytes": settings.limits.max_upload_bytes,
        "upload_types": sorted(UPLOAD_TYPES),
    }


@router.get("/api/limits", response_model=LimitsOut)
def limits(settings: SettingsDep) -> dict:
    """The longest question, the largest upload and the file types an upload may have (the UI reads these)."""
    return limits_from(settings)


@router.get("/metrics")
def metrics(metrics: MetricsDep) -> Response:
    """Requests, latency histograms and tokens generated, in Prometheus text format."""
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
