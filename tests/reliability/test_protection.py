"""Limits that protect the machine: a bounded queue for the model (503 + Retry-After), a generation
timeout (504, or an error event on a stream), and the per-client rate limit (429 + Retry-After)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx

from models.generator import Generator
from service.ratelimit import RateLimiter
from service.runtime import Runtime
from service.server import running_server
from tests.models.test_generator import EndlessBackend
from tests.reliability.conftest import tiny_settings

QUESTION = {"question": "What does the enzyme RuBisCO fix in the Calvin cycle?"}


def test_a_full_model_queue_answers_503_and_a_slow_answer_times_out(tmp_path: Path, tiny_runtime: Runtime) -> None:
    """A model that never stops: the first answer holds the only slot until its deadline."""
    settings = tiny_settings(
        tmp_path,
        index_dir=tiny_runtime.settings.index_dir,
        generator="llamacpp",  # the pipeline's model writer, over the endless backend below
        limits={"max_pending_answers": 1, "generation_timeout_s": 2.0, "rate_limit_per_minute": 1000},
    )
    backend = EndlessBackend()
    runtime = Runtime(settings, tiny_runtime.embedder, Generator(backend, "endless"))
    events: list[tuple[str, dict]] = []
    started = threading.Event()

    def stream() -> None:
        with httpx.Client(base_url=url, timeout=60) as c, c.stream("POST", "/api/ask/stream", json=QUESTION) as r:
            name = None
            for line in r.iter_lines():
                if line.startswith("event: "):
                    name = line.removeprefix("event: ")
                    started.set()
                elif line.startswith("data: ") and name:
                    events.append((name, json.loads(line.removeprefix("data: "))))

    with running_server(settings, runtime) as url, httpx.Client(base_url=url, timeout=60) as c:
        holder = threading.Thread(target=stream)
        holder.start()
        assert started.wait(30), "the streamed answer never started"
        busy = c.post("/api/ask", json=QUESTION)
        assert busy.status_code == 503, busy.text
        assert int(busy.headers["retry-after"]) >= 1 and busy.json()["error"] == "busy"
        busy_chat = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "RuBisCO?"}]})
        assert busy_chat.status_code == 503
        holder.join(30)
        assert not holder.is_alive()
        assert events[-1][0] == "error" and events[-1][1]["error"] == "generation timed out", events[-3:]
        assert backend.stopped.wait(5), "the timed-out job still holds the model"

        began = time.monotonic()
        slow = c.post("/api/ask", json=QUESTION)  # the slot is free again; this one runs into the deadline
        assert slow.status_code == 504 and slow.json()["error"] == "generation timed out"
        # answered at its 2 s deadline, not at the 120 s default (the client gives up at 60 s): 30 s leaves a
        # loaded machine 10x the time the retrieval and the deadline take here
        assert time.monotonic() - began < 30
        again = c.post("/api/ask", json=QUESTION)
        assert again.status_code == 504  # admitted (not 503): every slot was released


def test_the_rate_limit_stops_a_flood_from_one_address(tmp_path: Path, tiny_runtime: Runtime, figures) -> None:  # noqa: ANN001
    settings = tiny_settings(tmp_path, index_dir=tiny_runtime.settings.index_dir, limits={"rate_limit_per_minute": 20})
    runtime = Runtime(settings, tiny_runtime.embedder, None)
    with running_server(settings, runtime) as url, httpx.Client(base_url=url, timeout=60) as c:
        statuses = [c.get("/api/search", params={"q": "delta"}).status_code for _ in range(30)]
        limited = c.get("/api/search", params={"q": "delta"})
        assert statuses.count(200) == 20 and statuses.count(429) == 10
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert set(limited.json()) == {"error", "detail"}
        assert c.get("/healthz").status_code == 200  # liveness is never limited
    figures.add("limits", requests=31, rate_limited=11)


def test_the_rate_limiter_forgets_addresses_quiet_for_a_window() -> None:
    """A flood from 10,000 addresses holds memory for one window, not for the life of the server."""
    limiter = RateLimiter(per_minute=5, window_s=60)
    for i in range(10_000):
        assert limiter.allow(f"2001:db8::{i:x}", now=1.0)
    assert all(limiter.allow("203.0.113.9", now=2.0 + i) for i in range(5))
    assert not limiter.allow("203.0.113.9", now=10.0)  # still limited: its requests are recent
    assert limiter.allow("203.0.113.9", now=62.5)  # a window later, one of its five has expired
    assert len(limiter._hits) == 1  # the 10,000 quiet addresses are gone, the active one kept
