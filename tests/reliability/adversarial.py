"""Adversarial files, built in memory: what a careless export, a wrong extension or an attacker hands us."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Callable


def deflate_bomb(head: bytes, fill: bytes, megabytes: int) -> bytes:
    """A zlib stream of `head` then `megabytes` MiB of `fill`, built in milliseconds: one fully flushed
    1 MiB block (no back-references across it) repeated, then the checksum of the whole."""
    chunk = fill * (2**20 // len(fill))
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = raw.compress(head) + raw.flush(zlib.Z_FULL_FLUSH)
    block = raw.compress(chunk) + raw.flush(zlib.Z_FULL_FLUSH)
    tail = raw.flush()
    checksum = zlib.adler32(head)
    for _ in range(megabytes):
        checksum = zlib.adler32(chunk, checksum)
    return b"\x78\xda" + first + block * megabytes + tail + checksum.to_bytes(4, "big")


def pdf_with_stream(content: bytes, *, stream: bytes | None = None) -> bytes:
    """A structurally valid one-page PDF whose page content stream is `content` (or `stream`, already
    Flate-compressed)."""
    stream = zlib.compress(content, 9) if stream is None else stream
    filt = b"/Filter /FlateDecode "
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< " + filt + b"/Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def text_pdf(text: str) -> bytes:
    return pdf_with_stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))


def zip_bomb(unpacked_bytes: int = 8 * 2**20) -> bytes:
    """A zip whose single member inflates to `unpacked_bytes` of zeros (~1000:1)."""
    out = io.BytesIO()
    chunk = b"\0" * 2**20
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("x.json", "w", force_zip64=True) as member:
        for _ in range(unpacked_bytes // len(chunk)):
            member.write(chunk)
    return out.getvalue()


def nested_html(depth: int) -> bytes:
    return ("<html><body>" + "<div>" * depth + "deep text" + "</div>" * depth + "</body></html>").encode()


def nested_markdown_list(depth: int) -> bytes:
    return "".join("  " * i + f"- item {i}\n" for i in range(depth)).encode()


def notebook(cells: int) -> bytes:
    """A real .ipynb (JSON), for the notebook loader when there is one."""
    body = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": [f"# Cell {i}\n", "Some text."]} for i in range(cells)
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(body).encode()


HUGE_LINE = ("word " * 60_000).encode()  # 300 KB, no newline
PDF_TEXT_OP = b"BT /F1 12 Tf 72 720 Td (x) Tj ET\n"  # 80 MiB of spaces follow: past pypdf's 75 MB limit
# name -> bytes, built on demand (the bombs take a moment): the list, one file each; the name's
# suffix decides which loader meets the bytes
CASES: dict[str, Callable[[], bytes]] = {
    "huge-line.txt": lambda: HUGE_LINE,
    "huge-line.md": lambda: b"# Title\n" + HUGE_LINE,
    "huge-line.html": lambda: b"<p>" + HUGE_LINE + b"</p>",
    "nul-bytes.txt": lambda: b"some text\x00with a NUL\x00",
    "nul-bytes.md": lambda: b"# Title\n\x00\x00\x00",
    "deep-divs.html": lambda: nested_html(5_000),
    # cells of whitespace, a pipe, a nested table, a <pre>, a list around the table, a wide row: the "|" the
    # loader marks between cells (cell_break_spans) must each be a "|" of a row
    "ragged-tables.html": lambda: (
        "<ul><li>\n  <table><tr><td> a \n b </td><td></td><td>&nbsp;|&nbsp;</td>"
        "<td>ls | wc -l</td></tr></table></li></ul>"
        "<table><tr><td><table><tr><td>x</td><td>y</td></tr></table></td><td>z</td></tr>"
        "<tr><td><pre>p | q\nr</pre></td><td>s</td></tr>"
        "<tr>" + "<td>cell | </td>" * 200 + "</tr></table>"
    ).encode(),
    "deep-list.md": lambda: nested_markdown_list(1_500),
    "deep-list.txt": lambda: nested_markdown_list(1_500),
    "deep-quote.md": lambda: b">" * 50_000 + b" quoted",
    "invalid-utf8.txt": lambda: b"caf\xe9 au lait \xff\xfe broken \xc3\x28 bytes " * 50,
    "mostly-invalid.md": lambda: bytes(range(128, 256)) * 40,
    "utf16-bom.txt": lambda: "UTF-16 text with a byte order mark.\nSecond line.".encode("utf-16"),
    "utf16-bom.md": lambda: "# Heading\n\nBody in UTF-16.".encode("utf-16"),
    "utf16-be-bom.txt": lambda: "\ufeffBig-endian UTF-16 text.".encode("utf-16-be"),
    "utf8-bom.md": lambda: "\ufeff# Heading\n\nBody after a UTF-8 BOM.".encode(),
    "fake.pdf": lambda: b"%PDF-1.4\nthis is not a PDF at all\n%%EOF",
    "text-named.pdf": lambda: b"Just a text file with the wrong extension.",
    "truncated.pdf": lambda: text_pdf("Truncated PDF text")[:200],
    "flate-bomb.pdf": lambda: pdf_with_stream(b"", stream=deflate_bomb(PDF_TEXT_OP, b" ", 80)),
    "zip-bomb.pdf": lambda: zip_bomb(),
    "zip-bomb.ipynb": lambda: zip_bomb(),
    "crlf.md": lambda: b"# Title\r\n\r\nFirst line.\r\nSecond line.\r\n\r\n## Part\r\nMore text.\r\n",
    "lone-cr.txt": lambda: b"Title\r\rFirst paragraph line.\rSecond line.\r\rWhat is lone CR?\rAn old Mac line end.",
    "mixed-eol.md": lambda: b"# A\r\nline\rline\nline\r\n\r## B\rtext\n",
    "only-whitespace.txt": lambda: b" \n\t\r\n   ",
    "control-chars.txt": lambda: bytes(range(1, 32)) * 20 + b"text",
    "rtl-override.txt": lambda: "normal \u202etxt.exe\u202c text and \u200b zero width".encode(),
    "script.html": lambda: b"<script>alert(1)</script><style>p{}</style>",
    "valid.pdf": lambda: text_pdf("A valid PDF about rivers and deltas."),
    "notebook.ipynb": lambda: notebook(3),
}
