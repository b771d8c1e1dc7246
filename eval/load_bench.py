"""`notecite bench load`: 16 concurrent clients against /api/search and /api/ask on loopback workers.

Workers are separate `uvicorn service.app:create_app --factory` processes on one index dir (what several
containers or `--workers` run); clients spread over them round-robin. Reported per endpoint: requests,
requests/s, p50/p95, errors (anything but 200), and each worker's peak RSS (VmHWM) at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from core.settings import REPO_ROOT
from service.server import free_port

QUESTIONS = [
    "what does LoRA keep frozen",
    "why is fine tuning a whole LLM so expensive?",
    "what is reverse mode automatic differentiation",
    "what is cuDNN for?",
    "how does a GRU cell work",
    "what is the vanishing gradient problem",
]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = 600) -> None:
    """Poll `url` until it answers 200; the process exiting or the deadline raises with its log's tail."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up: {log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.3)


@contextmanager
def worker(
    env: dict[str, str], log_dir: Path, cwd: Path | None = None, factory: str = "service.app:create_app"
) -> Iterator[tuple[str, int]]:
    """(base URL, pid) of one API worker process built by `factory`, ready; `cwd` decides which .env it reads."""
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", str(port)]
    cmd += ["--log-level", "warning"]
    log = log_dir / f"worker-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/healthz", proc, log)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a worker that will not stop must not outlive its caller
            proc.kill()
            proc.wait(timeout=60)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def hammer(urls: list[str], endpoint: str, clients: int, seconds: float) -> dict[str, Any]:
    """`clients` threads, each sending requests back to back for `seconds`."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        url = urls[n % len(urls)]
        with httpx.Client(timeout=120) as http:
            i = n
            while time.monotonic() < stop_at:
                q = QUESTIONS[i % len(QUESTIONS)]
                i += 1
                t0 = time.perf_counter()
                try:
                    if endpoint == "search":
                        r = http.get(url + "/api/search", params={"q": q, "k": 10})
                    else:
                        r = http.post(url + "/api/ask", json={"question": q})
                    status = str(r.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    if status == "200":
                        latencies.append(ms)
                    else:
                        errors[status] = errors.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - began
    arr = np.asarray(latencies) if latencies else np.asarray([float("nan")])
    return {
        "requests": len(latencies) + sum(errors.values()),
        "ok": len(latencies),
        "per_s": round(len(latencies) / wall, 2),
        "p50_ms": round(float(np.percentile(arr, 50)), 1),
        "p95_ms": round(float(np.percentile(arr, 95)), 1),
        "errors": errors,
        "seconds": round(wall, 1),
    }


def bench_load(
    env_overrides: dict[str, str], worker_counts: list[int], clients: int, seconds: float, log_dir: Path
) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1", **env_overrides}
    env.setdefault("NOTECITE_LIMITS__RATE_LIMIT_PER_MINUTE", "1000000")
    rows = []
    for count in worker_counts:
        with ExitStack() as stack:
            started = [stack.enter_context(worker(env, log_dir)) for _ in range(count)]
            urls = [u for u, _ in started]
            row: dict[str, Any] = {"workers": count, "clients": clients}
            for endpoint in ("search", "ask"):
                row[endpoint] = hammer(urls, endpoint, clients, seconds)
            row["peak_rss_mb"] = [peak_rss_mb(pid) for _, pid in started]
            rows.append(row)
    return rows
