"""Crash safety: kill -9 an ingest at random points, fill the disk; the index always opens on a whole
generation (the previous one, or the new one once its pointer switched) and the next ingest completes."""

from __future__ import annotations

import contextlib
import os
import random
import select
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ingest.store import GENERATIONS, open_index
from service.runtime import Runtime
from service.server import free_port, running_server
from service.uploads import UploadStore
from tests.reliability.conftest import QUERIES, REPO_ROOT, full_run, tiny_settings, write_notes

PHASES = ["parse", "embed", "write", "switch", "collect"]


class Zygote:
    """tests/reliability/ingest_child.py: forks one real ingest per `start`."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        cmd = [sys.executable, "-m", "tests.reliability.ingest_child"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO_ROOT, env=env)
        self.pending = b""  # read from the pipe, not yet taken as lines
        assert self.line(300) == "READY"

    def line(self, timeout: float = 60) -> str:
        """The next line, read from the pipe's descriptor: a buffered readline() takes every line that has arrived
        ("DONE ...", "EXIT 0" together from a fast ingest), and select() then waits for one already read."""
        while b"\n" not in self.pending:
            ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
            assert ready, "the ingest child said nothing"
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            assert chunk, "the ingest zygote closed its output"
            self.pending += chunk
        raw, self.pending = self.pending.split(b"\n", 1)
        return raw.decode().strip()

    def start(self, index_dir: Path, notes_dir: Path, fsize: int | None = None) -> int:
        self.proc.stdin.write(f"go {index_dir} {notes_dir} {fsize or ''}\n".encode())
        self.proc.stdin.flush()
        first = self.line()
        assert first.startswith("PID "), first
        return int(first.split()[1])

    def rest(self) -> Iterator[str]:
        """The child's lines up to and including EXIT."""
        while not (line := self.line()).startswith("EXIT"):
            yield line
        yield line

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(30)


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    z = Zygote()
    yield z
    z.close()


def snapshot(index_dir: Path, embedder) -> tuple[str, list, dict[str, str]]:  # noqa: ANN001
    """The live generation, what it answers to every query (dense and BM25) and what it holds."""
    reader = open_index(index_dir)
    try:
        results = []
        for query in QUERIES:
            results.append(reader.dense_search(embedder.embed([query])[0], 5))
            results.append(reader.bm25_search(query, 5))
        docs = {d.doc: d.sha256 for d in reader.documents()}
        for doc in docs:
            assert reader.source_text(doc)  # every document's text is there
        return reader.generation, results, docs
    finally:
        reader.close()


def ingest_to_end(zygote: Zygote, index_dir: Path, notes_dir: Path) -> str:
    zygote.start(index_dir, notes_dir)
    lines = list(zygote.rest())
    done = [line for line in lines if line.startswith("DONE")]
    assert done and lines[-1] == "EXIT 0", lines
    return done[0].split()[1]


def kill_campaign(zygote: Zygote, root: Path, embedder, kills: int, seed: int, figures) -> Counter[str]:  # noqa: ANN001
    rng = random.Random(seed)
    notes, index = write_notes(root / "notes"), root / "index"
    ingest_to_end(zygote, index, notes)
    died_in: Counter[str] = Counter()
    for n in range(kills):
        before = snapshot(index, embedder)
        with (notes / "adam.txt").open("a") as fh:  # every attempt has something new to embed
            fh.write(f"\nRevision {n}: Adam's step size is scaled per parameter, attempt {n}.\n")
        target, delay = PHASES[n % len(PHASES)], rng.uniform(0, 0.02)  # every phase, a random moment in it
        pid = zygote.start(index, notes)
        seen, published = [], None
        for line in zygote.rest():
            seen.append(line)
            if line == f"PHASE {target}" or line.startswith("DONE"):
                time.sleep(delay)
                with contextlib.suppress(ProcessLookupError):  # a fast ingest may have ended (and been reaped) by now
                    os.kill(pid, signal.SIGKILL)
                break
        seen += list(zygote.rest()) if not seen[-1].startswith("EXIT") else []
        published = next((line.split()[1] for line in seen if line.startswith("PUBLISHED")), None)
        killed_in = target if f"PHASE {target}" in seen else "finished"
        died_in[killed_in] += 1
        after = snapshot(index, embedder)  # opens whatever CURRENT names (the kill may beat the PUBLISHED line)
        if after[0] == before[0]:  # killed before the switch: exactly the previous generation, same answers
            assert after == before, f"kill {n} in {target}: generation {after[0]} answers differently"
        else:  # the switch completed: the new generation, whole, with the edited note
            assert published in (None, after[0]) and after[2]["adam.txt"] != before[2]["adam.txt"]
            assert killed_in in ("switch", "collect", "finished"), f"kill {n} in {target}: switched too early"
        leftovers = [p.name for p in (index / GENERATIONS).iterdir() if not (p / "meta.json").exists()]
        new = ingest_to_end(zygote, index, notes)  # the next ingest completes and clears the debris
        assert snapshot(index, embedder)[0] == new
        assert not [p for p in leftovers if (index / GENERATIONS / p).exists()], leftovers
        figures.add("crash", kills=1, ingests=2, **{f"killed_in_{killed_in}": 1})
    return died_in


def test_kill_9_at_random_points_of_an_ingest(zygote: Zygote, tmp_path: Path, tiny_runtime: Runtime, figures):  # noqa: ANN001
    died_in = kill_campaign(zygote, tmp_path, tiny_runtime.embedder, kills=20, seed=16, figures=figures)
    # each phase is aimed at 4 times; a child that outran a kill is counted as finished (its index checked the same)
    assert sum(died_in.values()) == 20 and len(set(died_in) & set(PHASES)) >= len(PHASES) - 1, died_in


@pytest.mark.exhaustive
def test_kill_9_at_random_points_of_an_ingest_long(zygote: Zygote, tmp_path: Path, tiny_runtime: Runtime, figures):  # noqa: ANN001
    kill_campaign(zygote, tmp_path, tiny_runtime.embedder, kills=200, seed=1616, figures=figures)


def test_a_full_disk_fails_the_ingest_cleanly(zygote: Zygote, tmp_path: Path, tiny_runtime: Runtime, figures) -> None:  # noqa: ANN001
    notes, index = write_notes(tmp_path / "notes"), tmp_path / "index"
    ingest_to_end(zygote, index, notes)
    before = snapshot(index, tiny_runtime.embedder)
    (notes / "rivers.html").write_text("<h1>Rivers</h1><p>A changed note about river deltas and sediment.</p>")
    for cap in (512, 4096, 8192):  # any file past this many bytes cannot be written
        zygote.start(index, notes, fsize=cap)
        lines = list(zygote.rest())
        failed = [line for line in lines if line.startswith("FAILED")]
        assert failed and ("FAILED 27 " in failed[0] or "disk" in failed[0]), lines  # EFBIG: a clear error
        assert snapshot(index, tiny_runtime.embedder) == before
        figures.add("crash", full_disk=1)
    ingest_to_end(zygote, index, notes)  # space again: the next ingest completes


def mounted_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return result.returncode == 0


def test_an_upload_onto_a_full_disk_is_refused_and_the_index_stays(tmp_path: Path, tiny_runtime: Runtime, figures):  # noqa: ANN001
    disk = tmp_path / "disk"
    if not mounted_tmpfs(disk, "4m"):
        pytest.skip("cannot mount a tmpfs here (needs root); the ingest-level full-disk test still runs")
    try:
        settings = tiny_settings(tmp_path, index_dir=disk / "index", upload_dir=disk / "uploads")
        runtime = Runtime.build(settings)
        before = snapshot(settings.index_dir, runtime.embedder)
        with running_server(settings, runtime) as url, httpx.Client(base_url=url, timeout=60) as c:
            free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
            (disk / "filler").write_bytes(b"\0" * (free - 8192))  # leave less than a generation needs
            note = ("# Full\n\n" + "A note uploaded onto a full disk. " * 200).encode()
            response = c.post("/api/documents", files={"file": ("full.md", note, "text/markdown")})
            assert response.status_code == 507, response.text
            assert response.json()["error"] == "storage full"
            assert snapshot(settings.index_dir, runtime.embedder) == before
            assert c.get("/api/search", params={"q": "delta"}).status_code == 200
            assert not list((disk / "uploads").iterdir())  # no partial note left behind
            (disk / "filler").unlink()
            ok = c.post("/api/documents", files={"file": ("full.md", note, "text/markdown")})
            assert ok.status_code == 201, ok.text
        figures.add("crash", full_disk=1)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_server_killed_mid_upload_restarts_on_a_whole_index(tmp_path: Path, request, figures):  # noqa: ANN001
    """kill -9 the whole server while an upload replacing a note is being written and indexed."""
    settings = tiny_settings(tmp_path)
    Runtime.build(settings)  # an index and an upload to replace
    settings.uploads.mkdir(parents=True, exist_ok=True)
    (settings.uploads / "kept.md").write_text("# Kept\n\nThe first version of an uploaded note about glaciers.\n")
    before_text = (settings.uploads / "kept.md").read_bytes()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "NOTECITE_NOTES_DIR": str(settings.notes_dir),
        "NOTECITE_INDEX_DIR": str(settings.index_dir),
        "NOTECITE_UPLOAD_DIR": str(settings.uploads),
        "NOTECITE_CODE_DIR": str(tmp_path / "no-code"),  # a missing code folder is skipped
        "NOTECITE_GENERATOR": "none",
    }
    rng = random.Random(7)
    for _ in range(2 if full_run(request.config) else 1):
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "service.app:create_app", "--factory", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "server.log").open("ab"),
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, log=tmp_path / "server.log")
            before = httpx.get(f"{url}/healthz", timeout=30).json()["generation"]
            payload = ("# Kept\n\nThe second version, about fjords. " * 2000).encode()

            thread = threading.Thread(target=upload, args=(url, "kept.md", payload))
            thread.start()
            time.sleep(rng.uniform(0.0, 0.4))
            server.send_signal(signal.SIGKILL)
            server.wait(30)
            thread.join(60)
        finally:
            if server.poll() is None:
                server.kill()
        reader = open_index(settings.index_dir)  # whole: either generation, never half of one
        served = reader.generation
        kept = reader.source_text("uploads/kept.md")
        reader.close()
        assert kept is not None
        figures.add("crash", server_kills=1)
        assert served >= before
    # a restart (the app's start-up, in this process: index brought up to date, then the uploads recovered)
    # leaves no hidden debris and a replaced note either old or new, whole, and indexed as it is on disk
    restarted = Runtime.build(settings)
    UploadStore(restarted)
    assert not [p for p in settings.uploads.iterdir() if p.name.startswith(".")]
    text = (settings.uploads / "kept.md").read_bytes()
    assert text in (before_text, payload)
    assert restarted.served.reader.source_text("uploads/kept.md") == text.decode()


def upload(url: str, name: str, payload: bytes) -> None:
    """POST one note; the server may die under it."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(f"{url}/api/documents", files={"file": (name, payload, "text/markdown")}, timeout=60)


def wait_healthy(url: str, timeout_s: float = 300, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise TimeoutError(f"{url} did not come up: {tail}")
