"""Run uvicorn in this process: `notecite serve` in the foreground, tests on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from core.settings import Settings
from service.app import create_app
from service.memory import limit_malloc_arenas
from service.runtime import Runtime


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def bind_problem(host: str, port: int) -> str | None:
    """Why the service could not listen on host:port, found before the index is brought up to date (minutes
    for a large notes folder) rather than after; None when it can. Binds as uvicorn does (SO_REUSEADDR)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def serve(settings: Settings) -> None:
    """One worker: the models are loaded once per process, so more workers would mean more copies. The index
    is brought up to date before uvicorn takes over SIGINT and SIGTERM: inside its start-up they were only noted,
    so Ctrl-C during a first ingest of a large folder (minutes) did nothing until the ingest ended."""
    limit_malloc_arenas()  # before torch's threads exist (the ingest starts them): create_app would be too late
    runtime = Runtime.build(settings)
    uvicorn.run(create_app(settings, runtime), host=settings.host, port=settings.port, log_level="info", workers=1)


@contextmanager
def running_server(settings: Settings, runtime: Runtime | None = None, startup_timeout_s: float = 600) -> Iterator[str]:
    """A real uvicorn server on a free loopback port in a background thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(settings, runtime), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server exited during start-up; see the log above")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError(f"the server did not start within {startup_timeout_s} s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
