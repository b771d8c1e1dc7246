"""A Docker engine for the deploy tests: the one running, or a dockerd started here and stopped after."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def dockerd() -> Iterator[None]:
    """Skips (with the reason) only where no engine answers and none can be started."""
    log = ROOT / "var" / "deploy" / "dockerd.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        started = subprocess.run(
            [str(ROOT / "scripts/start-dockerd.sh"), str(log)], capture_output=True, text=True, timeout=90
        )
    except FileNotFoundError as exc:  # no bash, no script: nothing to start with
        pytest.skip(f"cannot start dockerd: {exc}")
    if started.returncode != 0:
        pytest.skip(f"cannot start dockerd: {started.stderr.strip()}")
    pid = int(started.stdout) if started.stdout.strip() else None
    yield
    if pid is not None:  # ours: stop it and wait, so no engine outlives the tests
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.2)
