"""Access: nothing outside the index is served, nothing outside the uploads dir is written, write
endpoints need the key when one is set, CORS is closed unless configured, and the page's headers hold."""

from __future__ import annotations

import hmac
import http.client
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest

from core.settings import Settings
from service.deps import has_write_access
from service.runtime import Runtime
from service.server import running_server
from tests.reliability.conftest import tiny_settings

SECRET = "root:x:0:0 a secret outside the notes"
TRAVERSALS = [
    "../../../../etc/passwd",
    "/etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%252e%252e%252fetc%252fpasswd",
    "..\\..\\..\\etc\\passwd",
    "uploads/../../outside.txt",
    "uploads/..%2f..%2foutside.txt",
    "photosynthesis.md%00.txt",
    "photosynthesis.md\x00",
    "\uff0e\uff0e\uff0f\uff0e\uff0e\uff0fetc\uff0fpasswd",  # fullwidth ../../etc/passwd
    "\u2024\u2024/\u2024\u2024/etc/passwd",  # one-dot leaders
    "link.txt",  # the notes dir's symlink to a file outside it
    "CON",
    "/dev/zero",
    "a" * 5000,
]
BAD_UPLOAD_NAMES = [
    "../evil.md",
    "../../evil.md",
    "/tmp/evil.md",
    "..\\evil.md",
    "%2e%2e%2fevil.md",
    "sub/evil.md",
    ".hidden.md",
    "evil.md\x00.txt",
    "\uff0e\uff0e\uff0fevil.md",
    "con.md",
    "NUL.txt",
    "x" * 300 + ".md",
    "",
    "evil.exe",
    "evil.md.sh",
]


def raw_get(url: str, path: str) -> tuple[int, str]:
    """GET with the path sent byte for byte (no client-side normalization of '..' or '%2e')."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, tiny_runtime: Runtime):  # noqa: ANN201
    """A server whose notes dir holds a symlink to a secret outside it, with an API key set."""
    root = tmp_path_factory.mktemp("access")
    outside = root / "outside.txt"
    outside.write_text(SECRET)
    settings = tiny_settings(root, api_key="k3y-s3cret")
    (settings.notes_dir / "link.txt").symlink_to(outside)
    runtime = Runtime.build(settings)
    with running_server(settings, runtime) as url:
        yield url, settings, root


@pytest.mark.parametrize("doc", TRAVERSALS)
def test_sources_never_serve_outside_the_index(guarded, doc: str, figures) -> None:  # noqa: ANN001
    url, _, _ = guarded
    status, body = raw_get(url, "/api/sources/" + quote(doc, safe="/%"))  # '..' and '%2e' reach the server as is
    figures.add("access", requests=1, refused=int(status >= 400))
    assert status in (400, 404, 422), (doc, status, body[:200])
    assert "root:" not in body and "secret" not in body
    assert re.search(r'"error":', body), body[:200]


def test_symlink_out_of_the_notes_dir_is_skipped_not_indexed(guarded) -> None:  # noqa: ANN001
    url, _, _ = guarded
    docs = {d["doc"] for d in httpx.get(f"{url}/api/documents", timeout=30).json()["documents"]}
    assert "link.txt" not in docs and "photosynthesis.md" in docs
    hits = httpx.get(f"{url}/api/search", params={"q": "secret outside the notes"}, timeout=30).json()["hits"]
    assert all("secret" not in h["text"] for h in hits)


@pytest.mark.parametrize("name", BAD_UPLOAD_NAMES)
def test_bad_upload_names_are_refused_and_write_nothing(guarded, name: str, figures) -> None:  # noqa: ANN001
    url, settings, root = guarded
    before = {p for p in root.rglob("*")}
    files = {"file": (name, b"# Evil\n\nA note that must not be stored anywhere.", "text/markdown")}
    key = {"Authorization": "Bearer k3y-s3cret"}
    response = httpx.post(f"{url}/api/documents", files=files, headers=key, timeout=60)
    figures.add("access", requests=1, refused=int(response.status_code >= 400))
    assert response.status_code in (400, 415, 422), (name, response.status_code, response.text)
    assert set(response.json()) == {"error", "detail"}
    assert {p for p in root.rglob("*")} == before  # nothing written, not even a temporary file
    assert not Path("/tmp/evil.md").exists()


def test_size_and_type_limits_hold(guarded) -> None:  # noqa: ANN001
    url, settings, _ = guarded
    key = {"Authorization": "Bearer k3y-s3cret"}
    limit = settings.limits.max_upload_bytes
    with httpx.Client(base_url=url, timeout=60, headers=key) as c:
        big = c.post("/api/documents", files={"file": ("big.md", b"x" * (limit + 100_000), "text/markdown")})
        assert big.status_code == 413 and big.json()["error"]

        def chunks():  # no Content-Length: the cap counts the bytes as they arrive
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.md"\r\n\r\n'
            for _ in range(limit // 65536 + 4):
                yield b"x" * 65536
            yield b"\r\n--b--\r\n"

        multipart = {"content-type": "multipart/form-data; boundary=b"}
        chunked = c.post("/api/documents", content=chunks(), headers=multipart)
        assert chunked.status_code == 413, chunked.text
        exe = c.post("/api/documents", files={"file": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")})
        assert exe.status_code == 415
        body = c.post("/api/ask", content=b'{"question": "' + b"a" * 1_100_000 + b'"}')
        assert body.status_code == 413 and body.json()["error"] == "request too large"
        long_q = c.post("/api/ask", json={"question": "why " * settings.limits.max_question_chars})
        assert long_q.status_code == 413 and long_q.json()["error"] == "question too long"
    docs = httpx.get(f"{url}/api/documents", timeout=30).json()["documents"]
    assert not any(d["doc"].startswith("uploads/big") for d in docs)


def test_write_endpoints_and_feedback_need_the_key(guarded) -> None:  # noqa: ANN001
    url, _, _ = guarded
    note = {"file": ("keyed.md", b"# Keyed\n\nUploaded with the key.", "text/markdown")}
    feedback = {"question": "q?", "answer": "a", "rating": "up"}
    with httpx.Client(base_url=url, timeout=60) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "k3y-s3cret"}):
            assert c.post("/api/documents", files=note, headers=headers).status_code == 401
            assert c.delete("/api/documents/uploads/keyed.md", headers=headers).status_code == 401
            assert c.post("/api/feedback", json=feedback, headers=headers).status_code == 401
        assert c.get("/api/documents").status_code == 200  # reading needs no key
        assert c.get("/api/search", params={"q": "delta"}).status_code == 200
        key = {"Authorization": "Bearer k3y-s3cret"}
        assert c.post("/api/documents", files=note, headers=key).status_code == 201
        assert c.post("/api/feedback", json=feedback, headers=key).status_code == 201
        assert c.delete("/api/documents/uploads/keyed.md", headers=key).status_code == 200


def test_the_key_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    settings = Settings(_env_file=None, notes_dir=tmp_path, index_dir=tmp_path / "i", api_key="k3y")
    assert has_write_access("Bearer k3y", settings) and not has_write_access("Bearer k3z", settings)
    assert not has_write_access("", settings)
    assert compared == [(b"k3y", b"k3y"), (b"k3z", b"k3y"), (b"", b"k3y")]


def test_cors_is_closed_unless_configured(tiny_url: str, tiny_runtime: Runtime, tmp_path: Path) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    closed = httpx.options(f"{tiny_url}/api/ask", headers=preflight, timeout=30)
    assert "access-control-allow-origin" not in closed.headers
    read = httpx.get(f"{tiny_url}/api/documents", headers={"Origin": "https://evil.example"}, timeout=30)
    assert read.status_code == 200 and "access-control-allow-origin" not in read.headers
    index = tiny_runtime.settings.index_dir  # the served index, read only
    settings = tiny_settings(tmp_path, cors_origins=("https://notes.example",), index_dir=index)
    with running_server(settings, Runtime(settings, tiny_runtime.embedder, None)) as url:
        ok = httpx.options(f"{url}/api/ask", headers={**preflight, "Origin": "https://notes.example"}, timeout=30)
        assert ok.headers.get("access-control-allow-origin") == "https://notes.example"
        evil = httpx.options(f"{url}/api/ask", headers=preflight, timeout=30)
        assert "access-control-allow-origin" not in evil.headers


def test_the_chat_page_and_every_response_carry_the_security_headers(tiny_url: str) -> None:
    page = httpx.get(f"{tiny_url}/", timeout=30)
    csp = page.headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["script-src"] == ["'self'"] and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    # the page itself obeys it: every script is a file, no inline handlers
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
    assert not re.search(r"\son[a-z]+\s*=", page.text)
    for path in ("/api/documents", "/api/sources/nope", "/healthz", "/static/js/app.js"):
        response = httpx.get(f"{tiny_url}{path}", timeout=30)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
