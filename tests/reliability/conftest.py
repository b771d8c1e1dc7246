"""The reliability campaign's shared setup: a tiny notes folder, a real server over it, and the figures.

Everything runs on real components (the MiniLM embedder, FAISS, uvicorn on loopback) over three short
notes, with the quoting writer (generator "none") so an answer costs milliseconds and the tests stay in
their budget. Tests marked `exhaustive` (longer fuzzing, the 60 s load, 10,000 requests) run only when
asked for: `pytest -m exhaustive tests/reliability` (scripts/reliability.sh, which also writes
docs/RELIABILITY.md from the figures every test records).
"""

from __future__ import annotations

import json
import resource
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from tests import notes_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
FIGURES = REPO_ROOT / "artifacts" / "reliability" / "figures.json"

NOTES = {
    "photosynthesis.md": (
        "# Photosynthesis\n\n"
        "Photosynthesis converts light energy into chemical energy stored in glucose. It takes place in the "
        "chloroplasts of plant cells, where chlorophyll absorbs mostly red and blue light.\n\n"
        "## Calvin cycle\n\n"
        "The Calvin cycle runs in the stroma. The enzyme RuBisCO fixes carbon dioxide into a three-carbon sugar.\n"
    ),
    "adam.txt": (
        "Adam optimizer\n\n"
        "Adam keeps an exponential moving average of the gradient and of the squared gradient. The usual "
        "defaults are beta1 = 0.9, beta2 = 0.999 and a learning rate of 0.001.\n"
    ),
    "rivers.html": (
        "<html><body><h1>Rivers</h1><p>A river delta forms where a river meets slower water and drops the "
        "sediment it carries. The Nile delta in Egypt is a classic arc-shaped delta.</p></body></html>"
    ),
}
QUERIES = ["what does RuBisCO fix", "Adam default learning rate", "how does a river delta form", "chlorophyll light"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "exhaustive: long reliability runs; only with -m exhaustive")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "exhaustive" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="long run: pytest -m exhaustive tests/reliability (scripts/reliability.sh)")
    for item in items:
        if "exhaustive" in item.keywords:
            item.add_marker(skip)


def full_run(config: pytest.Config) -> bool:
    return "exhaustive" in (config.option.markexpr or "")


class Figures:
    """What the campaign did, by area: requests sent, inputs tried, crashes survived, errors, peak RSS."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}
        self.notes: dict[str, dict[str, object]] = {}
        self._lock = threading.Lock()

    def add(self, area: str, **counts: int) -> None:
        with self._lock:
            self.counts.setdefault(area, Counter()).update(counts)

    def note(self, area: str, **values: object) -> None:
        with self._lock:
            self.notes.setdefault(area, {}).update(values)

    def save(self, path: Path, full: bool) -> None:
        """Added to what earlier sessions of the same campaign recorded (scripts/reliability.sh starts clean)."""
        peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        old = json.loads(path.read_text()) if path.exists() else {"areas": {}, "notes": {}, "full": False}
        for area, counts in old["areas"].items():
            self.counts.setdefault(area, Counter()).update(counts)
        # per area, so a later session adds to an earlier one's long_runs instead of replacing them
        notes = {a: {**old["notes"].get(a, {}), **v} for a, v in self.notes.items()}
        notes = {**old["notes"], **notes}
        earlier = old["notes"].get("pytest_process", {}).get("peak_rss_mb", 0)
        notes["pytest_process"] = {"peak_rss_mb": max(peak, earlier)}
        path.parent.mkdir(parents=True, exist_ok=True)
        areas = {a: dict(c) for a, c in self.counts.items()}
        data = {"full": full or old["full"], "areas": areas, "notes": notes}
        path.write_text(json.dumps(data, indent=1, sort_keys=True))


@pytest.fixture(scope="session")
def figures(request: pytest.FixtureRequest) -> Iterator[Figures]:
    recorded = Figures()
    yield recorded
    recorded.save(FIGURES, full_run(request.config))


@pytest.fixture(autouse=True)
def record_long_runs(request: pytest.FixtureRequest, figures: Figures) -> Iterator[None]:
    """The report names the long runs that took part (their counts join the short runs' areas)."""
    yield
    if "exhaustive" in request.node.keywords:
        figures.note("long_runs", **{request.node.name.removeprefix("test_"): "ran"})


def write_notes(folder: Path) -> Path:
    return notes_settings.write_notes(folder, NOTES)


def tiny_settings(root: Path, **overrides: object) -> Settings:
    """Settings over NOTES in `root/notes`: quoting writer, no reference code, limits the load tests set."""
    return notes_settings.notes_settings(root, NOTES, **overrides)


@pytest.fixture(scope="session")
def tiny_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reliability")


@pytest.fixture(scope="session")
def tiny_runtime(tiny_root: Path):  # noqa: ANN201 - service.runtime.Runtime
    from service.runtime import Runtime

    return Runtime.build(tiny_settings(tiny_root))


@pytest.fixture(scope="session")
def tiny_url(tiny_root: Path, tiny_runtime) -> Iterator[str]:  # noqa: ANN001
    """A real uvicorn server over NOTES (shared by the fuzz, access and concurrency tests)."""
    from service.server import running_server

    with running_server(tiny_runtime.settings, tiny_runtime) as url:
        yield url
