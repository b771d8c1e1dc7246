"""Loaders: every format, and every reason a file is skipped instead of indexed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.errors import NotesDirError, SkippedFile
from ingest.loaders import load_file
from ingest.pipeline import CorpusRoot, ingest_corpus


def minimal_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one line of Helvetica text per page, written by hand (no PDF writer needed)."""
    objects: list[bytes] = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {5 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_txt_keeps_text_exactly(tmp_path: Path) -> None:
    text = "Title\n\n  indented line\twith tab\r\nwindows line\n"
    (tmp_path / "a.txt").write_bytes(text.encode())
    loaded = load_file(tmp_path / "a.txt", "a.txt")
    assert loaded.source.text == text
    assert loaded.fmt == "text" and loaded.source.kind == "note" and loaded.source.warnings == ()


def test_markdown_and_code_formats(fixtures_dir: Path) -> None:
    md = load_file(fixtures_dir / "notes.md", "notes.md")
    assert md.fmt == "markdown" and md.source.text == (fixtures_dir / "notes.md").read_text()
    py = load_file(fixtures_dir / "module.py", "module.py")
    assert py.fmt == "code" and py.source.kind == "code"


def test_html_visible_text_and_heading_spans(fixtures_dir: Path) -> None:
    loaded = load_file(fixtures_dir / "page.html", "page.html")
    text = loaded.source.text
    assert "do not index me" not in text and "color: red" not in text and "a comment" not in text
    assert "Scaled dot-product attention divides the scores by sqrt(d_k) before the softmax." in text
    assert [(h.level, h.title) for h in loaded.headings] == [
        (1, "Attention"),
        (2, "Multi-Head Attention"),
        (2, "Masking"),
    ]
    for heading in loaded.headings:
        assert text[heading.start : heading.end] == heading.title
        assert heading.start == 0 or text[heading.start - 1] == "\n"  # a heading owns its line


def test_pdf_pages_are_spans(tmp_path: Path) -> None:
    (tmp_path / "doc.pdf").write_bytes(minimal_pdf(["First page about LoRA", "Second page about Adam"]))
    loaded = load_file(tmp_path / "doc.pdf", "doc.pdf")
    text = loaded.source.text
    assert len(loaded.pages) == 2
    assert "LoRA" in text[slice(*loaded.pages[0])] and "Adam" in text[slice(*loaded.pages[1])]
    assert "Adam" not in text[slice(*loaded.pages[0])]


def test_bytes_that_are_not_utf8_are_read_as_windows_1252_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9 au lait is \xff\xfe a drink\n" + b"More text.\n" * 5)
    loaded = load_file(tmp_path / "bad.txt", "bad.txt")
    assert "\ufffd" not in loaded.source.text and loaded.source.text.startswith("café au lait is ÿþ a drink\n")
    assert loaded.source.warnings == ("not UTF-8: decoded as Windows-1252",)


SKIP_CASES = [
    ("empty.txt", b"", "empty"),
    ("blank.md", b" \n\n\t\n", "empty"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    ("garbage.txt", bytes(range(128, 256)) * 3, "binary or undecodable"),
    ("big.txt", b"word " * 300, "too large"),
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
]


@pytest.mark.parametrize(("name", "data", "reason"), SKIP_CASES, ids=[c[0] for c in SKIP_CASES])
def test_unindexable_files_are_skipped_with_a_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(SkippedFile, match=reason) as info:
        load_file(tmp_path / name, name, max_file_bytes=1000)
    assert "\n" not in str(info.value)


def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "dir.txt").mkdir()  # named like a note, but reading it fails for every user, root included
    with pytest.raises(SkippedFile, match="directory"):
        load_file(tmp_path / "dir.txt", "dir.txt")
    secret = tmp_path / "secret.txt"
    secret.write_text("hidden")
    secret.chmod(0)
    try:
        if os.access(secret, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reads")
        with pytest.raises(SkippedFile, match="unreadable"):
            load_file(secret, "secret.txt")
    finally:
        secret.chmod(0o644)


def test_ingest_reports_skips_and_goes_on(tmp_path: Path, counting) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "good.txt").write_text("Gradient descent\nGradient descent follows the negative gradient.\n")
    (notes / "empty.txt").write_text("")
    (notes / "nul.md").write_bytes(b"abc\x00def")
    (notes / "image.png").write_bytes(b"\x89PNG")  # unsupported: ignored, not reported
    (notes / ".hidden.txt").write_text("Hidden files are ignored.\n")
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", counting)
    assert report.files == 1
    assert sorted(report.skipped) == [
        ("empty.txt", "empty file"),
        ("nul.md", "binary file (contains NUL bytes)"),
    ]


def test_missing_notes_dir_is_fatal(tmp_path: Path, counting) -> None:
    with pytest.raises(NotesDirError, match="not found"):
        ingest_corpus([CorpusRoot(tmp_path / "nope")], tmp_path / "index", counting)
    assert not (tmp_path / "index" / "CURRENT").exists()
