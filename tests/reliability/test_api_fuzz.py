"""Schemathesis against the running server's own OpenAPI schema: every operation, valid and invalid input.

Checks on every response: never a 5xx, a body that matches the schema for 2xx, and every error in the
service's JSON shape {"error", "detail"}. Uploads are generated too (each valid one re-ingests), so the
examples per operation stay few by default; `-m exhaustive` runs many more. (Schemathesis' own pytest
plugin does not run under pytest 9, so each operation's strategy is drawn by Hypothesis here.)
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def import_now(names: list[str]) -> None:
    """Import modules (and every submodule of a package) at collection, not during a test. Schemathesis and
    Hypothesis import most of their modules on first use, and pytest rewrites a plugin's modules as they are
    imported (`ast.parse`); Python 3.11.7 failed that parse deep inside this test in two full runs (2026-12-02), with
    "SystemError: AST constructor recursion depth mismatch" (a fault of the interpreter, never of this code). At
    collection the parsing happens before any test has run."""
    for name in names:
        module = importlib.import_module(name)
        for info in pkgutil.walk_packages(getattr(module, "__path__", []), f"{name}."):
            with contextlib.suppress(ImportError):  # optional extras (allure reporting) are not installed
                importlib.import_module(info.name)


LAZY_HYPOTHESIS = ["flatmapped", "random", "regex"]  # the strategies' modules a run imported on first use
import_now(["schemathesis", *(f"hypothesis.strategies._internal.{name}" for name in LAZY_HYPOTHESIS)])


def error_shape(ctx, response, case) -> None:  # noqa: ANN001 - schemathesis check signature
    """A 4xx or 5xx says what went wrong in the service's shape (OpenAI's under /v1), never an HTML page or a
    stack trace."""
    if response.status_code < 400:
        return
    body = response.json()
    if case.path.startswith("/v1/"):
        assert list(body) == ["error"], f"{case.method} {case.path}: error body {body!r}"
        assert set(body["error"]) == {"message", "type", "param", "code"}, body
        assert response.status_code != 422, body  # OpenAI answers an invalid request 400
        detail = body["error"]["message"]
    else:
        assert set(body) == {"error", "detail"}, f"{case.method} {case.path}: error body {body!r}"
        assert isinstance(body["error"], str)
        detail = body["detail"]
    assert isinstance(detail, str) and "Traceback" not in detail and "/tmp/" not in detail


CHECKS = [not_a_server_error, response_schema_conformance, error_shape]


def fuzz(url: str, figures, examples: int) -> None:  # noqa: ANN001
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    for operation in operations:
        for mode in MODES:

            @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case) -> None:  # noqa: ANN001
                response = case.call(timeout=120)
                figures.add("api_fuzz", requests=1, **{f"status_{response.status_code // 100}xx": 1})
                case.validate_response(response, checks=CHECKS)

            try:
                check()
            except Unsatisfiable:  # no parameters or body to make invalid (GET /healthz)
                assert mode is GenerationMode.NEGATIVE, operation.label
        figures.add("api_fuzz", operations=1)


def test_every_operation_answers_in_shape(tiny_url: str, figures) -> None:  # noqa: ANN001
    fuzz(tiny_url, figures, examples=6)


@pytest.mark.exhaustive
def test_every_operation_answers_in_shape_long(tiny_url: str, figures) -> None:  # noqa: ANN001
    fuzz(tiny_url, figures, examples=200)
