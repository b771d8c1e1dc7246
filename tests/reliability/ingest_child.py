"""A zygote for crash tests: loads the embedder once, then forks one ingest per command, to be killed.

Protocol (one line each way): the test writes `go INDEX NOTES [FSIZE]`; this process forks a child that
runs a real `ingest_corpus` and prints `PHASE <name>` as it enters each phase (parse, embed, write,
switch, collect), `PUBLISHED <gen>` once CURRENT points at the new generation, and `DONE <gen>` or
`FAILED <errno> <message>`; the zygote prints `PID <pid>` first and `EXIT <status>` when the child is
gone, however it went. FSIZE caps the size of any file the child writes (RLIMIT_FSIZE): a full disk.
It runs on one core (torch on one thread, the embedder without a thread pool), so forking after the
model is loaded is safe.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import sys
import time
from pathlib import Path

PAUSE_S = 0.005  # after each marker, so a kill can land before or inside the step it names


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def marked(name: str, func):  # noqa: ANN001, ANN201
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        say(f"PHASE {name}")
        time.sleep(PAUSE_S)
        return func(*args, **kwargs)

    return wrapper


def run_child(index_dir: Path, notes_dir: Path, embedder, fsize: int | None) -> None:  # noqa: ANN001
    import faiss

    from ingest import corpus_files, pipeline, store
    from ingest.pipeline import CorpusRoot, ingest_corpus

    if fsize is not None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the cap fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    corpus_files.load_file = marked("parse", corpus_files.load_file)  # a changed file (the others are kept)
    embedder.embed = marked("embed", embedder.embed)
    embedder.embed_bulk = marked("embed", embedder.embed_bulk)  # what ingest calls for its batches
    store.write_docstore = marked("write", store.write_docstore)
    store.BM25Index.save = marked("write", store.BM25Index.save)
    faiss.write_index = marked("write", faiss.write_index)
    store._fsync_path = marked("write", store._fsync_path)
    real_publish, real_replace = pipeline.publish, os.replace

    def replace(src, dst, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        say("PHASE switch")
        time.sleep(PAUSE_S)
        real_replace(src, dst, *args, **kwargs)
        if Path(dst).name == store.CURRENT:
            say(f"PUBLISHED {Path(dst).read_text().strip()}")

    def publish(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
        os.replace = replace
        try:
            real_publish(*args, **kwargs)
        finally:
            os.replace = real_replace

    pipeline.publish = publish
    pipeline.collect_garbage = marked("collect", pipeline.collect_garbage)
    try:
        report = ingest_corpus([CorpusRoot(notes_dir)], index_dir, embedder)
    except OSError as exc:
        say(f"FAILED {exc.errno} {exc.strerror}")
        os._exit(1)
    except sqlite3.OperationalError as exc:  # SQLite's own words for a full disk
        say(f"FAILED sqlite {exc}")
        os._exit(1)
    say(f"DONE {report.generation}")
    os._exit(0)


def main() -> None:
    import torch

    # one core, so forking after the model is loaded is safe: torch on one thread, and the embedder's fast
    # CPU path without its pool of batch threads (threads do not survive a fork: a child's batches waited
    # for workers it did not have)
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    torch.set_num_threads(1)
    import ingest.pipeline  # noqa: F401 - imported once here, not in every child (seconds each)
    from models.embedder import load_embedder

    embedder = load_embedder("all-MiniLM-L6-v2", device="cpu")
    embedder.embed(["warm up"])
    say("READY")
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != "go":
            break
        index_dir, notes_dir = Path(parts[1]), Path(parts[2])
        fsize = int(parts[3]) if len(parts) > 3 else None
        said_pid, go = os.pipe()  # the child starts once `PID` is out: its first PHASE line raced the PID line
        pid = os.fork()
        if pid == 0:
            try:
                os.close(go)
                os.read(said_pid, 1)
                os.close(said_pid)
                run_child(index_dir, notes_dir, embedder, fsize)
            except BaseException as exc:  # noqa: BLE001 - reported to the test, which fails on it
                say(f"CRASHED {type(exc).__name__}: {exc}")
            finally:
                os._exit(3)
        say(f"PID {pid}")
        os.close(said_pid)
        os.write(go, b"1")
        os.close(go)
        _, status = os.waitpid(pid, 0)
        say(f"EXIT {status}")


if __name__ == "__main__":
    main()
