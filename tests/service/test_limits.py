"""GET /api/limits: the limits the chat page applies before it sends, read from the deployment's settings."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from core.settings import Settings
from service.app import create_app
from service.uploads import UPLOAD_TYPES


def test_limits_on_the_real_server(base_url: str, service_settings: Settings) -> None:
    response = httpx.get(f"{base_url}/api/limits", timeout=30)
    assert response.status_code == 200
    assert response.json() == {
        "max_question_chars": service_settings.limits.max_question_chars,
        "max_upload_bytes": service_settings.limits.max_upload_bytes,
        "upload_types": sorted(UPLOAD_TYPES),
    }
    assert "/api/limits" in httpx.get(f"{base_url}/openapi.json", timeout=30).json()["paths"]


def test_limits_follow_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        notes_dir=tmp_path / "notes",
        index_dir=tmp_path / "index",
        limits={"max_question_chars": 123, "max_upload_bytes": 4567},
    )
    # the endpoint reads settings only: without the lifespan (no `with`), no index or model is loaded
    client = TestClient(create_app(settings, runtime=object()))  # type: ignore[arg-type]
    body = client.get("/api/limits").json()
    assert body["max_question_chars"] == 123
    assert body["max_upload_bytes"] == 4567
    assert {".md", ".txt", ".pdf"} <= set(body["upload_types"])
    assert body["upload_types"] == sorted(body["upload_types"])
