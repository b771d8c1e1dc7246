"""Prometheus metrics, one registry per app so several apps (tests) never collide."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "notecite_requests_total", "HTTP requests.", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "notecite_request_seconds",
            "HTTP request latency.",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "notecite_answer_seconds",
            "Time to a whole answer, retrieval to last token (streamed ones included).",
            ["route"],
            buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60),
            registry=self.registry,
        )
        self.tokens = Counter("notecite_tokens_generated_total", "Tokens generated.", registry=self.registry)
        self.abstentions = Counter("notecite_abstentions_total", "Answers that abstained.", registry=self.registry)

    async def middleware(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        self.requests.labels(request.method, path, str(response.status_code)).inc()
        self.latency.labels(path).observe(time.perf_counter() - start)
        return response
