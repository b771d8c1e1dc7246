"""Concurrency: answers during uploads, re-ingests and deletes come from one generation each; many
clients at once get no errors (429s counted apart); memory stays bounded after warm-up."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable

import httpx
import psutil
import pytest

from service.runtime import Runtime
from service.server import running_server
from tests.reliability.conftest import NOTES, QUERIES, tiny_settings

# two versions of one uploaded note: the same topic at different offsets, so a span read against the
# wrong version gives the wrong text
VERSIONS = {
    "a": "# Glaciers\n\nGlaciers carve U-shaped valleys as they move downhill. Moraines are ridges of debris.\n",
    "b": "# Glaciers\n\nA later edit put this sentence first.\n\nGlaciers carve U-shaped valleys as they move "
    "downhill under their own weight. Moraines are ridges of debris left behind.\n",
}
GLACIER_QUESTION = "How do glaciers carve valleys?"


def span_version(doc: str, start: int, end: int, text: str) -> str:
    """Which text the span was cut from: a note's (never changes) or one version of the upload."""
    if doc == "uploads/glaciers.md":
        found = [v for v, body in VERSIONS.items() if body[start:end] == text]
        assert found, f"glaciers.md {start}-{end} matches no version: {text!r}"
        return found[0] if len(found) == 1 else "either"
    assert NOTES[doc][start:end] == text or doc.endswith(".html"), (doc, start, end, text)
    return "note"


class Load:
    """Clients hitting the API in a loop; status counts, with errors (5xx, wrong bodies) kept apart."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def count(self, key: str, error: str | None = None) -> None:
        with self.lock:
            self.counts[key] += 1
            if error:
                self.errors.append(error)

    def client(self, seed: int, actions: list[Callable[[httpx.Client, random.Random], httpx.Response]]) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=self.url, timeout=120) as c:
            while not self.stop.is_set():
                try:
                    response = rng.choice(actions)(c, rng)
                except (httpx.HTTPError, AssertionError) as exc:
                    self.count("errors", f"{type(exc).__name__}: {exc}")
                    continue
                status = response.status_code
                if status == 429:
                    self.count("rate_limited")
                elif status >= 500 or status not in (200, 201, 404):
                    self.count("errors", f"{response.request.method} {response.request.url.path}: {status}")
                else:
                    self.count("ok")

    def run(self, clients: int, seconds: float, actions) -> None:  # noqa: ANN001
        threads = [threading.Thread(target=self.client, args=(i, actions)) for i in range(clients)]
        for t in threads:
            t.start()
        time.sleep(seconds)
        self.stop.set()
        for t in threads:
            t.join(180)


def ask(c: httpx.Client, rng: random.Random) -> httpx.Response:
    question = rng.choice([GLACIER_QUESTION, *QUERIES])
    response = c.post("/api/ask", json={"question": question})
    if response.status_code == 200:
        versions = {span_version(x["doc"], x["start"], x["end"], x["quote"]) for x in response.json()["citations"]}
        assert len(versions - {"note", "either"}) <= 1, f"one answer cited two generations: {versions}"
    return response


def search(c: httpx.Client, rng: random.Random) -> httpx.Response:
    response = c.get("/api/search", params={"q": rng.choice([GLACIER_QUESTION, *QUERIES]), "k": 5})
    if response.status_code == 200:
        for hit in response.json()["hits"]:
            span_version(hit["doc"], hit["start"], hit["end"], hit["text"])
    return response


def stream(c: httpx.Client, rng: random.Random) -> httpx.Response:
    with c.stream("POST", "/api/ask/stream", json={"question": rng.choice(QUERIES)}) as response:
        body = response.read().decode()
    assert "event: error" not in body, body[-300:]
    return response


def reads(c: httpx.Client, rng: random.Random) -> httpx.Response:
    path = rng.choice(["/api/documents", "/healthz", "/api/sources/adam.txt", "/api/limits"])
    return c.get(path)


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory, tiny_runtime: Runtime):  # noqa: ANN201
    """A server of its own: this module uploads and deletes."""
    settings = tiny_settings(tmp_path_factory.mktemp("concurrency"))
    runtime = Runtime.build(settings)
    with running_server(settings, runtime) as url:
        yield url


def test_answers_during_uploads_and_deletes_see_one_generation(own_server: str, figures) -> None:  # noqa: ANN001
    load = Load(own_server)
    generations: list[str] = []

    def writer() -> None:
        with httpx.Client(base_url=own_server, timeout=120) as c:
            for i in range(6):
                version = "ab"[i % 2]
                files = {"file": ("glaciers.md", VERSIONS[version].encode(), "text/markdown")}
                response = c.post("/api/documents", files=files)
                assert response.status_code == 201, response.text
                generations.append(response.json()["report"]["generation"])
                if i % 3 == 2:
                    assert c.delete("/api/documents/uploads/glaciers.md").status_code == 200
        load.stop.set()

    threads = [threading.Thread(target=load.client, args=(i, [ask, search, reads])) for i in range(4)]
    changer = threading.Thread(target=writer)
    for t in [*threads, changer]:
        t.start()
    changer.join(300)
    for t in threads:
        t.join(120)
    assert not load.errors, load.errors[:5]
    assert load.counts["ok"] > 20 and len(generations) == 6 and generations == sorted(generations)
    figures.add("concurrency", requests=sum(load.counts.values()), index_changes=8, errors=len(load.errors))


def load_test(url: str, clients: int, seconds: float, figures, area: str) -> Load:  # noqa: ANN001
    load = Load(url)
    load.run(clients, seconds, [ask, search, stream, reads, search])
    figures.add(area, requests=sum(load.counts.values()), errors=len(load.errors), **load.counts)
    assert not load.errors, load.errors[:5]
    return load


def test_16_clients_at_once_get_no_errors(tiny_url: str, figures) -> None:  # noqa: ANN001
    load = load_test(tiny_url, clients=16, seconds=4, figures=figures, area="load")
    assert load.counts["ok"] >= 16


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def test_memory_is_flat_after_warm_up(tiny_url: str, figures) -> None:  # noqa: ANN001
    """In-process server: after warm-up, more requests from 16 clients add no more than the bound."""
    load_test(tiny_url, clients=16, seconds=3, figures=figures, area="memory")  # warm-up
    before = rss_mb()
    load = load_test(tiny_url, clients=16, seconds=6, figures=figures, area="memory")
    growth = rss_mb() - before
    figures.note("memory_short", requests=sum(load.counts.values()), growth_mb=round(growth, 1))
    assert growth < 100, f"RSS grew {growth:.0f} MB over {sum(load.counts.values())} requests"


@pytest.mark.exhaustive
def test_16_clients_for_60_seconds(tiny_url: str, figures) -> None:  # noqa: ANN001
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(1.0):
            samples.append(rss_mb())

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        load_test(tiny_url, clients=16, seconds=60, figures=figures, area="load_60s")
    finally:
        done.set()
        sampler.join()
    figures.note("load_60s", peak_rss_mb=round(max(samples), 1))
