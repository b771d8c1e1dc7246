"""One real index over the user's notes and one real server for the service tests (built once)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from service.runtime import Runtime
from service.server import running_server


def make_settings(root: Path, notes_dir: Path, **overrides: object) -> Settings:
    values = dict(
        notes_dir=notes_dir,
        index_dir=root / "index",
        upload_dir=root / "uploads",
        generator="llamacpp",  # the model writer and its guard: the path the quoting default does not exercise
        answer={"max_new_tokens": 48},
        limits={"rate_limit_per_minute": 100_000},
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def service_settings(tmp_path_factory: pytest.TempPathFactory, notes_dir: Path) -> Settings:
    return make_settings(tmp_path_factory.mktemp("service"), notes_dir)


@pytest.fixture(scope="session")
def runtime(service_settings: Settings) -> Runtime:
    return Runtime.build(service_settings)


@pytest.fixture(scope="session")
def base_url(service_settings: Settings, runtime: Runtime) -> Iterator[str]:
    with running_server(service_settings, runtime) as url:
        yield url
