"""Two API workers (processes) on one index dir: an upload through one is served by the other, no restart."""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx

from eval.load_bench import worker
from service.runtime import Runtime
from service.server import running_server
from tests.scale.conftest import worker_config

NOTE_A = ("zz_quokka.txt", b"Quokkas\nQuokkas are small marsupials that live on Rottnest Island.\n")
NOTE_B = ("zz_axolotl.txt", b"Axolotls\nAxolotls are salamanders that regrow lost limbs and organs.\n")


def upload(url: str, name: str, data: bytes) -> httpx.Response:
    return httpx.post(url + "/api/documents", files={"file": (name, data, "text/plain")}, timeout=180)


def test_upload_through_one_worker_is_answered_by_the_other(embedded_notes_index, embedder, tmp_path: Path) -> None:
    notes, index, _ = embedded_notes_index
    shutil.copytree(index, tmp_path / "index")
    env, in_process = worker_config(notes, tmp_path / "index", tmp_path)
    with ExitStack() as stack:
        # worker A: its own process, as `uvicorn --workers` or a second container runs it; worker B: a uvicorn
        # server inside this process (a process too, with the embedder this session already loaded: starting
        # a second child took most of this test's time)
        a = stack.enter_context(worker(env, tmp_path, cwd=tmp_path))[0]
        b = stack.enter_context(running_server(in_process, Runtime(in_process, embedder, None)))
        first = httpx.get(b + "/healthz").json()["generation"]
        statuses: list[int] = []
        stop = threading.Event()

        def keep_asking() -> None:  # B answers all the while A ingests
            with httpx.Client(timeout=60) as client:
                while not stop.is_set():
                    statuses.append(client.post(b + "/api/ask", json={"question": "what is LoRA?"}).status_code)

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            assert upload(a, *NOTE_A).status_code == 201
            hits = httpx.get(b + "/api/search", params={"q": "quokka marsupials", "k": 1}).json()["hits"]
            assert hits[0]["doc"] == "uploads/zz_quokka.txt"  # B serves A's generation without a restart
            # uploads through both workers at once: serialized by the index lock, neither is lost
            with ThreadPoolExecutor(2) as pool:
                done = list(pool.map(lambda args: upload(*args), [(a, *NOTE_B), (b, "zz_quokka.txt", NOTE_A[1] * 2)]))
            assert [r.status_code for r in done] == [201, 201]
        finally:
            stop.set()
            asker.join()
        docs = {d["doc"] for d in httpx.get(a + "/api/documents").json()["documents"]}
        assert {"uploads/zz_quokka.txt", "uploads/zz_axolotl.txt"} <= docs
        gens = {httpx.get(u + "/healthz").json()["generation"] for u in (a, b)}
        assert len(gens) == 1 and gens != {first}
        assert statuses and set(statuses) == {200}, statuses
