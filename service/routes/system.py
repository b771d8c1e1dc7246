"""Liveness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.deps import MetricsDep, ResourcesDep

router = APIRouter(tags=["system"])


@router.get("/healthz")
def healthz(resources: ResourcesDep) -> dict:
    """The service is up and serving an index generation."""
    return {
        "status": "ok",
        "generation": resources.served.generation,
        "documents": len(resources.reader.documents()),
        "generator": resources.generator.name,
    }


@router.get("/metrics")
def metrics(metrics: MetricsDep) -> Response:
    """Requests, latency histograms and tokens generated, in Prometheus text format."""
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
