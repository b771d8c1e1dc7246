"""NOTECITE_GENERATOR=openai against a real llama.cpp OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from core.settings import OpenAISettings, Settings
from models.errors import GenerationError
from models.generator import Generator
from models.openai_backend import OpenAIBackend
from models.prompts import END_OF_TURN
from service.runtime import Runtime, answer_model
from service.server import free_port, running_server

QUESTION = "why is fine tuning a whole LLM so expensive?"  # answered by a note in the test copy


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback port that accepts connections and never answers: a server that hangs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


class CountingServer(ThreadingHTTPServer):
    """A real OpenAI-compatible server of one canned answer; `tokenize` is what its tokenize paths do: "missing"
    (404, as a server without them), or "drop" (close the connection unanswered, as a server that fails)."""

    PIECES = ("The answer", " is here.", "STOP", " and what the stop cut off.")

    def __init__(self, tokenize: str) -> None:
        super().__init__(("127.0.0.1", 0), CannedHandler)
        self.tokenize = tokenize
        self.asked: Counter[str] = Counter()  # requests per path


class CannedHandler(BaseHTTPRequestHandler):
    server: CountingServer

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.asked[self.path] += 1
        if self.path == "/v1/completions":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in CountingServer.PIECES:
                self.wfile.write(f"data: {json.dumps({'choices': [{'text': piece}]})}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
        elif self.server.tokenize == "drop":
            self.close_connection = True  # no status line at all: the client sees the server disconnect
        else:
            self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canned_server(request: pytest.FixtureRequest) -> Iterator[CountingServer]:
    server = CountingServer(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def settings_for(root: Path, notes: Path, index: Path, **openai: object) -> Settings:
    return Settings(
        notes_dir=notes,
        index_dir=index,
        upload_dir=root / "uploads",
        code_dir=None,
        generator="openai",
        openai=openai,
        answer={"max_new_tokens": 24, "top_k": 2},  # a short prompt and answer: the 1-thread server is slow
        limits={"rate_limit_per_minute": 100_000},
        _env_file=None,
    )


def test_streams_greedy_pieces_from_the_server(llama_server: str) -> None:
    generator = Generator(OpenAIBackend(OpenAISettings(base_url=llama_server)), "openai")
    messages = [{"role": "user", "content": "Name three primary colors."}]
    pieces = list(generator.stream(messages, max_tokens=24))
    assert len(pieces) > 3 and END_OF_TURN not in "".join(pieces)
    assert "red" in "".join(pieces).lower()
    assert generator.generate(messages, max_tokens=2)  # max_tokens reaches the server
    tokens = httpx.post(llama_server.removesuffix("/v1") + "/extras/tokenize", json={"input": "a b c"}).json()
    assert generator.backend.count_tokens("a b c") == len(tokens["tokens"])


def test_a_down_or_silent_server_fails_fast_with_its_reason(silent_server: str) -> None:
    down = Generator(OpenAIBackend(OpenAISettings(base_url=f"http://127.0.0.1:{free_port()}/v1")), "down")
    with pytest.raises(GenerationError, match="not reachable"):
        down.generate([{"role": "user", "content": "hi"}], max_tokens=4)
    silent = OpenAIBackend(OpenAISettings(base_url=silent_server, read_timeout_s=0.5))
    with pytest.raises(GenerationError, match=r"sent nothing for 0.5 s"):
        Generator(silent, "silent").generate([{"role": "user", "content": "hi"}], max_tokens=4)


def test_service_answers_through_the_server_and_503s_when_it_is_gone(
    llama_server: str, silent_server: str, embedded_notes_index, embedder, tmp_path: Path
) -> None:
    notes, index, _ = embedded_notes_index
    settings = settings_for(tmp_path, notes, index, base_url=llama_server)
    assert answer_model(settings) is answer_model(settings)  # one client per process and settings
    runtime = Runtime(settings, embedder, answer_model(settings))
    with running_server(settings, runtime) as url:
        body = httpx.post(url + "/api/ask", json={"question": QUESTION}, timeout=120).json()
        assert not body["abstained"] and body["citations"]
        for c in body["citations"]:  # the pipeline's citation checks ran unchanged
            assert runtime.served.reader.source_text(c["doc"])[c["start"] : c["end"]] == c["quote"]
        # the server wrote an answer; the guard kept it or swapped in quotes (the bare base model, no adapter)
        assert body["generated_tokens"] > 0 and (body["writer"] == "model" or body["replaced"])
    for base_url, reason in ((f"http://127.0.0.1:{free_port()}/v1", "not reachable"), (silent_server, "sent nothing")):
        gone = settings_for(tmp_path, notes, index, base_url=base_url, read_timeout_s=0.5)
        with running_server(gone, Runtime(gone, embedder, answer_model(gone))) as url:
            response = httpx.post(url + "/api/ask", json={"question": QUESTION}, timeout=60)
        assert response.status_code == 503, response.text
        assert reason in response.json()["detail"]


def canned_answer(server: CountingServer) -> tuple[Generator, str]:
    """A Generator over `server`, and its answer cut at the stop sequence "STOP"."""
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    return Generator(OpenAIBackend(OpenAISettings(base_url=url)), "canned"), "The answer is here."


@pytest.mark.parametrize("canned_server", ["missing"], indirect=True)
def test_a_server_without_tokenize_endpoints_is_asked_for_a_count_once(canned_server: CountingServer) -> None:
    generator, said = canned_answer(canned_server)
    for _ in range(3):
        stream = generator.stream([{"role": "user", "content": "hi"}], max_tokens=24, stop=["STOP"])
        assert "".join(stream) == said
        assert stream.finish.reason == "stop"
        assert stream.finish.tokens == 5  # the estimate: 4 words * 1.3, rounded
    # three answers, each cut by its stop: both tokenize paths were asked by the first alone (404 each)
    assert canned_server.asked == {"/v1/completions": 3, "/extras/tokenize": 1, "/tokenize": 1}


@pytest.mark.parametrize("canned_server", ["drop"], indirect=True)
def test_a_failing_tokenize_endpoint_costs_the_count_not_the_answer(canned_server: CountingServer) -> None:
    generator, said = canned_answer(canned_server)
    stream = generator.stream([{"role": "user", "content": "hi"}], max_tokens=24, stop=["STOP"])
    assert "".join(stream) == said  # before: GenerationError after every piece had been read
    assert (stream.finish.reason, stream.finish.tokens) == ("stop", 5)
    with pytest.raises(GenerationError, match="failed"):  # a prompt count still says the server failed
        generator.backend.count_tokens("a b c")
    assert canned_server.asked["/extras/tokenize"] == 2  # a failure is no 404: the endpoint is asked again
