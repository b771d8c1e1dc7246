"""Two API workers on one Milvus server, reached by URI and token: the deployment the `scale` profile runs.

The server is Milvus Lite's own gRPC server (`python -m milvus_lite server`) in a process of its own on
loopback: the same protocol and client code as a Milvus standalone or cluster, where a Lite file serves only
the process that opened it. An upload through one worker is searched by the other without a restart.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from core.settings import StoreSettings
from eval.load_bench import worker
from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.store import open_index
from service.runtime import Runtime
from service.server import free_port, running_server
from tests.scale.conftest import worker_config

TOKEN = "root:Milvus"
NOTE = ("zz_pangolin.txt", b"Pangolins\nPangolins are scaly mammals that roll into a ball when threatened.\n")


@pytest.fixture(scope="module")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URI of a Milvus (Lite engine) gRPC server process listening on a free loopback port."""
    root = tmp_path_factory.mktemp("milvus-server")
    port = free_port()
    cmd = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(root / "data")]
    cmd += ["--host", "127.0.0.1", "--port", str(port)]
    log = root / "server.log"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))  # noqa: SIM115
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"milvus server did not start: {log.read_text(errors='replace')[-2000:]}"
                    ) from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_two_workers_share_one_milvus_server(milvus_server, embedded_notes_index, embedder, tmp_path: Path) -> None:
    notes, embedded, _ = embedded_notes_index
    shutil.copytree(embedded, tmp_path / "index")
    store = StoreSettings(backend="milvus", milvus_uri=milvus_server, milvus_token=TOKEN, collection_prefix="w")
    assert ingest_corpus([CorpusRoot(notes)], tmp_path / "index", embedder, store=store).embedded == 0
    reader = open_index(tmp_path / "index", store)
    assert reader.store_name == "milvus" and len(reader) == len(open_index(embedded))

    env, in_process = worker_config(notes, tmp_path / "index", tmp_path, store)
    with ExitStack() as stack:
        a = stack.enter_context(worker(env, tmp_path, cwd=tmp_path))[0]
        b = stack.enter_context(running_server(in_process, Runtime(in_process, embedder, None)))
        before = httpx.get(b + "/healthz").json()["generation"]
        name, data = NOTE
        uploaded = httpx.post(a + "/api/documents", files={"file": (name, data, "text/plain")}, timeout=180)
        assert uploaded.status_code == 201, uploaded.text
        found = httpx.get(b + "/api/search", params={"q": "scaly mammals that roll into a ball", "k": 1}).json()
        assert found["hits"][0]["doc"] == f"uploads/{name}"  # B reads A's new generation from the server
        assert httpx.get(b + "/healthz").json()["generation"] != before
        answer = httpx.post(b + "/api/ask", json={"question": "what do pangolins do when threatened?"}).json()
        assert not answer["abstained"] and "roll into a ball" in answer["text"], answer
        assert answer["sources"][0]["doc"] == f"uploads/{name}"
