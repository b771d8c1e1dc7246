"""The Docker deploy run for real, on the offline path docs/DEPLOY.md documents.

A local Debian base (scripts/make-debian-base.sh), the wheelhouse (scripts/make-wheelhouse.sh),
`docker build --network=none` (cold on a fresh machine) and a rebuild from the layer cache, then
docker-compose with the repository's compose file: up, healthy, an answer with exact citations
through the published port, an upload found by search, the eval service's report in its volume, down
and up again with nothing re-embedded, down -v. The measured facts go to var/deploy/facts.json
(docs/DEPLOY.md quotes them). Everything it makes is removed at the end, except what a later run
reuses: the base image, the wheelhouse and BuildKit's layer cache (`docker builder prune` drops it).
It skips only where no Docker engine can be started (tests/deploy/conftest.py).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_ID = f"{os.getpid()}"
PROJECT = f"notecite-deploytest-{RUN_ID}"
IMAGE = f"notecite-deploytest:{RUN_ID}"
FACTS = ROOT / "var" / "deploy" / "facts.json"
UPLOAD_TEXT = "The quokkabridge ledger keeps every flashcard on a basalt tablet, filed by colour.\n"


def sh(*argv: str, timeout: float, env: dict[str, str] | None = None, stderr: bool = False) -> str:
    """Run a command and return its stdout (+ stderr); on failure the assertion carries its output."""
    result = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )
    assert result.returncode == 0, f"{' '.join(argv)}: {result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result.stdout + (result.stderr if stderr else "")


def timed(*argv: str, timeout: float, env: dict[str, str] | None = None, stderr: bool = False) -> tuple[str, float]:
    start = time.monotonic()
    out = sh(*argv, timeout=timeout, env=env, stderr=stderr)
    return out, round(time.monotonic() - start, 1)


def venv_step_was_cached(log: str) -> bool:
    """BuildKit's plain log: '#N [ 8/18] RUN ... install-python-deps.sh ...', later '#N CACHED'."""
    step = re.search(r"^(#\d+) \[.*install-python-deps\.sh /opt/venv", log, re.MULTILINE)
    assert step, log[-2000:]
    return f"{step[1]} CACHED" in log


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    """The compose project under test: its directory (.env, notes), port and the facts measured."""

    workdir: Path
    port: int
    facts: dict[str, float | int | str] = field(default_factory=dict)

    def compose(self, *args: str, timeout: float = 300) -> str:
        return sh(
            "docker-compose",
            "--project-name",
            PROJECT,
            "--file",
            str(ROOT / "docker-compose.yml"),
            "--project-directory",
            str(self.workdir),
            *args,
            timeout=timeout,
            env={"IMAGE": IMAGE},
        )

    def api(self, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> dict:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, headers=headers or {})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)

    def container(self) -> str:
        return self.compose("ps", "-q", "notecite").strip()

    def up_healthy(self) -> float:
        """`up -d`, then seconds until Docker's health check reports healthy."""
        start = time.monotonic()
        self.compose("up", "-d", "--no-build", "notecite")
        cid = self.container()
        while time.monotonic() - start < 420:
            state = json.loads(sh("docker", "inspect", "--format", "{{json .State}}", cid, timeout=30))
            if state["Health"]["Status"] == "healthy":
                return round(time.monotonic() - start, 1)
            assert state["Running"], f"the container stopped: {self.compose('logs', '--tail', '40', 'notecite')}"
            time.sleep(1)
        raise AssertionError(f"not healthy after 420 s: {self.compose('logs', '--tail', '40', 'notecite')}")

    def embedded_at_start(self) -> int:
        """Passages embedded by the last start's ingest, from its log line '... (N embedded) ...'."""
        counts = re.findall(r"\((\d+) embedded\)", self.compose("logs", "--no-color", "notecite"))
        assert counts, "the service logged no ingest report"
        return int(counts[-1])


def make_workdir(tmp: Path, port: int) -> Path:
    """A compose project directory: a copy of the user's notes (world-readable for uid 10001) and .env."""
    notes = tmp / "notes"
    shutil.copytree(ROOT.parent / "shared" / "notes", notes)
    for path in [notes, *notes.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    env = (ROOT / ".env.example").read_text()
    env = re.sub(r"(?m)^NOTES_DIR=.*$", f"NOTES_DIR={notes}", env)
    env = re.sub(r"(?m)^PORT=.*$", f"PORT={port}", env)
    env = re.sub(r"(?m)^NOTECITE_API_KEY=.*$", "NOTECITE_API_KEY=deploy-test-key", env)
    (tmp / ".env").write_text(env + "NOTECITE_THREADS=2\n")
    return tmp


def image_facts(facts: dict) -> None:
    inspect = json.loads(sh("docker", "image", "inspect", IMAGE, timeout=30))[0]
    facts["image_mb"] = round(inspect["Size"] / 1e6)
    facts["image_user"] = inspect["Config"]["User"]


def remove_everything(stack: Stack | None, images: list[str]) -> None:
    """Containers, volumes and networks of the project, and the images built (by tag and by id)."""
    if stack is not None:
        subprocess.run(
            ["docker-compose", "-p", PROJECT, "-f", str(ROOT / "docker-compose.yml")]
            + ["--project-directory", str(stack.workdir), "--profile", "eval", "down", "-v", "--remove-orphans"],
            capture_output=True,
            timeout=180,
            env={**os.environ, "IMAGE": IMAGE},
        )
    subprocess.run(["docker", "image", "rm", "-f", IMAGE, *set(images)], capture_output=True, timeout=120)


def buildkit_docker() -> str:
    """A docker client that builds with BuildKit: one with the buildx plugin, or Debian's 20.10 client
    (BuildKit built in; Docker's own 28 client has no buildx here and would fall back to the classic one)."""
    if subprocess.run(["docker", "buildx", "version"], capture_output=True).returncode == 0:
        return "docker"
    assert Path("/usr/bin/docker").exists(), "no BuildKit-capable docker client (docker-buildx or docker.io)"
    return "/usr/bin/docker"


@pytest.fixture(scope="module")
def stack(dockerd: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    made: Stack | None = None
    built: list[str] = []
    facts: dict = {"measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count()}
    try:
        base, facts["base_image_s"] = timed(str(ROOT / "scripts/make-debian-base.sh"), timeout=900)
        _, facts["wheelhouse_s"] = timed(str(ROOT / "scripts/make-wheelhouse.sh"), timeout=1800)
        iid = tmp_path_factory.mktemp("iid") / "id"  # each build's image id: a rebuild may untag the first
        build = [buildkit_docker(), "build", "--network=none", "--build-arg", f"BASE_IMAGE={base.strip()}"]
        build += ["--iidfile", str(iid), "-t", IMAGE, "."]
        env = {"DOCKER_BUILDKIT": "1"}
        # cold on a fresh machine; a later run finds BuildKit's cache (the log says which it was)
        log, facts["build_s"] = timed(*build, "--progress=plain", timeout=1800, env=env, stderr=True)
        built.append(iid.read_text().strip())
        facts["build_was"] = "cached" if venv_step_was_cached(log) else "cold"
        _, facts["rebuild_cached_s"] = timed(*build, timeout=900, env=env)
        built.append(iid.read_text().strip())
        image_facts(facts)
        port = free_port()
        made = Stack(make_workdir(tmp_path_factory.mktemp("compose"), port), port, facts)
        facts["healthy_s"] = made.up_healthy()
        yield made
    finally:
        remove_everything(made, built)
        FACTS.parent.mkdir(parents=True, exist_ok=True)
        FACTS.write_text(json.dumps(facts, indent=2) + "\n")


IMAGE_CHECKS = {
    "the test suite": "test ! -e /app/tests",
    # BuildKit leaves the wheelhouse's mount point behind, empty; Debian's venv wheels are ensurepip's
    "a wheel": "test -z \"$(find /app /opt /home /root /tmp /wheelhouse -name '*.whl' 2>/dev/null)\"",
    "pip's cache": "test -z \"$(find / -xdev -type d -path '*/.cache/pip' 2>/dev/null)\"",
    "a compiler": 'test -z "$(for c in gcc cc c++ make cmake; do command -v $c; done)"',
}


def test_image_carries_no_tests_wheelhouse_pip_cache_or_compiler(stack: Stack) -> None:
    assert stack.facts["image_user"] == "10001:10001"
    script = " ; ".join(f"{check} || echo {shlex.quote('carries ' + what)}" for what, check in IMAGE_CHECKS.items())
    run = ("docker", "run", "--rm", "--network=none", "--entrypoint", "sh")
    found = sh(*run, "--user", "0", IMAGE, "-c", script, timeout=120)
    assert not found.strip(), found
    assert sh(*run, IMAGE, "-c", "id -u && notecite --help >/dev/null", timeout=120).strip() == "10001"


def test_answer_through_the_published_port_cites_exact_spans(stack: Stack) -> None:
    question = json.loads((ROOT / "eval/datasets/notes_dev.jsonl").read_text().splitlines()[0])["question"]
    answer = stack.api("/api/ask", json.dumps({"question": question}).encode(), {"Content-Type": "application/json"})
    assert not answer["abstained"] and answer["citations"], answer
    for citation in answer["citations"]:
        doc = urllib.parse.quote(citation["doc"])
        text = stack.api(f"/api/sources/{doc}")["text"]
        assert text[citation["start"] : citation["end"]] == citation["quote"], citation
        note = stack.workdir / "notes" / citation["doc"]
        assert citation["quote"] in note.read_text(), f"{citation['quote']!r} is not in {note}"
    pid = sh("docker", "inspect", "--format", "{{.State.Pid}}", stack.container(), timeout=30).strip()
    rss_kb = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1]
    stack.facts["rss_after_answer_mb"] = round(int(rss_kb) / 1024)


def test_uploaded_note_is_found_by_search(stack: Stack) -> None:
    boundary = "notecite-deploy-test"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="quokkabridge.md"\r\n'
        f"Content-Type: text/markdown\r\n\r\n{UPLOAD_TEXT}\r\n--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": "Bearer deploy-test-key"}
    uploaded = stack.api("/api/documents", body, headers)
    doc = uploaded["document"]["doc"]
    hits = stack.api("/api/search?" + urllib.parse.urlencode({"q": "quokkabridge basalt tablet", "k": 3}))["hits"]
    assert hits and hits[0]["doc"] == doc, hits


def test_eval_service_writes_a_report_into_its_volume(stack: Stack) -> None:
    # The compose command cut to BM25 retrieval over the notes alone (no reference code): the service,
    # image, notes mount and volume are under test here; the eval's numbers are tests/eval's business.
    # (bm25+hybrid over notes and code took 7 min here: two embedding passes and 94 query embeddings.)
    start = time.monotonic()
    stack.compose(
        "run", "--rm", "-e", "NOTECITE_CODE_DIR=/nonexistent", "eval",
        "notecite", "eval", "--dataset", "eval/datasets/notes_dev.jsonl",
        "--notes", "/data/notes", "--out", "/reports", "--systems", "bm25", "--no-answers",
        timeout=600,
    )  # fmt: skip
    stack.facts["eval_run_s"] = round(time.monotonic() - start, 1)
    report = json.loads(stack.compose("run", "--rm", "eval", "cat", "/reports/report.json", timeout=120))
    assert set(report["systems"]) == {"bm25"}, report.keys()
    assert report["systems"]["bm25"]["retrieval"]["recall@5"] > 0
    listing = stack.compose("run", "--rm", "eval", "ls", "/reports", timeout=120).split()
    assert {"report.json", "report.md"} <= set(listing), listing


def test_down_and_up_serves_the_same_notes_without_embedding(stack: Stack) -> None:
    before = sorted(d["doc"] for d in stack.api("/api/documents")["documents"])
    assert "quokkabridge.md" in " ".join(before), "runs after test_uploaded_note_is_found_by_search"
    stack.compose("down")
    stack.facts["restart_healthy_s"] = stack.up_healthy()
    assert stack.embedded_at_start() == 0
    assert sorted(d["doc"] for d in stack.api("/api/documents")["documents"]) == before
    hits = stack.api("/api/search?" + urllib.parse.urlencode({"q": "quokkabridge basalt tablet", "k": 3}))["hits"]
    assert "quokkabridge" in hits[0]["doc"]


def test_down_v_removes_the_index(stack: Stack) -> None:
    volumes = sh("docker", "volume", "ls", "-q", "--filter", f"name={PROJECT}_", timeout=30).split()
    assert f"{PROJECT}_index" in volumes and f"{PROJECT}_uploads" in volumes, volumes
    stack.compose("--profile", "eval", "down", "-v")
    left = sh("docker", "volume", "ls", "-q", "--filter", f"name={PROJECT}_", timeout=30).split()
    assert not left, left
