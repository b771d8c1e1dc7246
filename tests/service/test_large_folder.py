"""A team's messy shared folder served live: nested and unicode names, hidden folders, binary and empty files
with note extensions, symlinks inside and outside it. Each file's status says why it was left out from the
first moment the server answers, not only after the first change."""

from __future__ import annotations

import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from core.settings import Settings
from service.runtime import ProgressLog
from service.server import free_port
from tests.notes_settings import notes_settings

NOTES = {
    "meetings/week1/README.md": "# Week one\n\nThe release train for project kestrel leaves every two weeks.\n",
    "meetings/week2/README.md": "# Week two\n\nThe on-call pager rotates on Mondays at nine.\n",
    "my folder/sub dir/Café résumé.md": "# Café\n\nThe zebrafish tank is kept at 28.5 degrees.\n",
    "-dash note.txt": "Leading dash note. The quokka budget is 42 thousand euros.\n",
    ".obsidian/workspace.md": "The walrus workspace layout.\n",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    from service.runtime import Runtime
    from service.server import running_server

    root = tmp_path_factory.mktemp("team")
    (outside := root / "outside.txt").write_text("A secret kept outside the notes folder.\n")
    settings = notes_settings(root, {})
    notes = settings.notes_dir
    for name, text in NOTES.items():
        (notes / name).parent.mkdir(parents=True, exist_ok=True)
        (notes / name).write_text(text, encoding="utf-8")
    (notes / os.fsdecode(b"caf\xe9 menu.md")).write_text("The egret count is nine.\n")  # a Windows zip's Latin-1 name
    (notes / "photo.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(512))
    (notes / "empty.md").write_text("")
    (notes / "week1-link.md").symlink_to(notes / "meetings/week1/README.md")
    (notes / "outside.txt").symlink_to(outside)
    (notes / "loop").symlink_to(notes)  # a folder loop must not hang ingest or the watcher
    (notes / "gone.md").symlink_to(notes / "deleted long ago.md")
    with running_server(settings, Runtime.build(settings)) as url:
        yield url, settings


def test_skipped_files_say_why_from_the_start(folder) -> None:
    url, _ = folder
    files = {f["doc"]: f for f in httpx.get(f"{url}/api/watch").json()["files"]}
    reasons = {doc: f["reason"] for doc, f in files.items() if f["status"] == "skipped"}
    assert "binary" in reasons.pop("photo.md")
    assert "empty" in reasons.pop("empty.md")
    assert "outside" in reasons.pop("outside.txt")
    assert "linked folder is not followed" in reasons.pop("loop")  # it was left out without a word
    assert "broken link" in reasons.pop("gone.md")
    assert reasons == {}
    documents = {d["doc"] for d in httpx.get(f"{url}/api/documents").json()["documents"]}
    # a symlink is listed under its own name, like /api/documents names it; hidden folders are neither
    assert documents == {f for f, s in files.items() if s["status"] == "indexed"}
    assert "week1-link.md" in documents and not any(d.startswith(".obsidian") for d in files)
    assert "café menu.md" in documents  # its name's byte 0xE9 read as Windows-1252, as in a note's text


def test_nested_unicode_names_are_cited_exactly(folder) -> None:
    url, _ = folder
    for query, doc in [("zebrafish tank degrees", "my folder/sub dir/Café résumé.md"), ("quokka", "-dash note.txt")]:
        hit = httpx.get(f"{url}/api/search", params={"q": query, "k": 1}).json()["hits"][0]
        assert hit["doc"] == doc
        source = httpx.get(f"{url}/api/sources/{quote(doc)}", params={"start": hit["start"], "end": hit["end"]})
        assert source.status_code == 200
        assert source.json()["text"][hit["start"] : hit["end"]] == hit["text"]
    refused = httpx.delete(f"{url}/api/documents/{quote('my folder/sub dir/Café résumé.md')}")
    assert refused.status_code == 409 and "notes folder" in refused.json()["detail"]


@pytest.mark.parametrize("value", ["", "none"])
def test_an_empty_code_dir_means_no_code(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTECITE_CODE_DIR= was Path('.'): the server indexed the whole working directory as reference code."""
    monkeypatch.setenv("NOTECITE_CODE_DIR", value)
    monkeypatch.setenv("NOTECITE_UPLOAD_DIR", value)
    settings = Settings(_env_file=None, index_dir=Path("/srv/idx"))
    assert settings.code_dir is None and settings.uploads == Path("/srv/uploads")


def test_serve_stops_on_sigterm_during_its_first_ingest(tmp_path: Path) -> None:
    """uvicorn took SIGTERM and Ctrl-C over before the start-up ingest and only noted them: `notecite serve` on a
    large new folder could not be stopped for the minutes its first ingest took (kill -9 only)."""
    topics = ["glaciers", "volcanoes", "rivers", "deserts", "forests", "oceans", "caves", "islands"]
    notes = {
        f"{topic}/{n:02d}.md": "".join(
            f"# {topic} {n} part {k}\n\nThe {topic} survey {n} measured site {k} twice. It found {k + n} markers.\n\n"
            for k in range(6)
        )
        for topic in topics
        for n in range(16)
    }
    env = {**os.environ, "NOTECITE_CODE_DIR": "", "NOTECITE_WATCH": "false", "HF_HUB_OFFLINE": "1"}
    folder, index = tmp_path / "notes", tmp_path / "index"
    for name, text in notes.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    notecite = str(Path(sys.executable).with_name("notecite"))
    command = [notecite, "serve", "--notes", str(folder), "--index", str(index), "--port", str(free_port())]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stderr], daemon=True).start()
    try:
        # the files are read: embedding starts now and takes far longer than 5 s. A deadline, so a changed
        # progress line fails the test instead of hanging it
        marker, deadline = f"ingest files: {len(notes)}/{len(notes)}", time.monotonic() + 300
        while marker not in lines.get(timeout=max(0.0, deadline - time.monotonic())):  # queue.Empty: failed
            pass
        assert server.poll() is None  # still ingesting
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)  # a deadline for a hang only: a loaded machine may take seconds to stop
        # stopped mid-ingest, not when it ended (the bug: the signal was only noted until the index was published)
        assert not (index / "CURRENT").exists()
    finally:
        server.kill()
        server.wait()


def test_server_log_follows_embedding_batch_by_batch(caplog: pytest.LogCaptureFixture) -> None:
    """Embedding reports per batch of 64, which seldom lands on a multiple of a tenth of 1,066 passages: the
    server logged nothing between 'files' and the end of a 3-minute first ingest."""
    progress = ProgressLog()
    with caplog.at_level(logging.INFO, logger="notecite"):
        for done in [*range(64, 1066, 64), 1066]:
            progress("embed", done, 1066)
        progress("windows", 0, 0)  # nothing to embed: no line
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 10 and lines[0] == "ingest embed: 128/1066" and lines[-1] == "ingest embed: 1066/1066"


def test_the_live_folder_outlives_odd_names_and_ignores_logs(folder, caplog: pytest.LogCaptureFixture) -> None:
    """A change to a file whose name is not UTF-8 made watchfiles raise and the watcher thread die: nothing was
    re-indexed any more. Every append to a log in the notes folder re-indexed the whole folder (20 appends: 20
    full ingests)."""
    url, settings = folder
    log_file = settings.notes_dir / "logs" / "app.log"
    log_file.parent.mkdir()
    with caplog.at_level(logging.INFO, logger="notecite"):
        for request in range(3):
            with log_file.open("a") as fh:
                fh.write(f"GET /healthz 200 request {request}\n")
            time.sleep(0.4)
        with (settings.notes_dir / os.fsdecode(b"caf\xe9 menu.md")).open("a") as fh:
            fh.write("The ibis count is four.\n")
        (settings.notes_dir / "heron.md").write_text("# Herons\n\nThe heron migration starts in April.\n")
        for _ in range(150):
            files = {f["doc"]: f for f in httpx.get(f"{url}/api/watch").json()["files"]}
            if files.get("heron.md", {}).get("status") == "indexed":
                break
            time.sleep(0.2)
    assert files["heron.md"]["status"] == "indexed" and files["logs/app.log"]["status"] == "skipped"
    reindexed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("notes changed")]
    assert reindexed and not any("app.log" in line for line in reindexed), reindexed
    assert httpx.get(f"{url}/api/search", params={"q": "ibis count", "k": 1}).json()["hits"][0]["doc"] == "café menu.md"
