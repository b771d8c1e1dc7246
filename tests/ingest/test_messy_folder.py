"""Files a shared team folder holds that a study-notes folder rarely does (Debian's XHTML docs, ...)."""

from __future__ import annotations

import shutil
import threading
import warnings
from pathlib import Path

from ingest.loaders import load_file
from ingest.pipeline import CorpusRoot, discover

XHTML_BODY = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>libxslt</title></head>'
    "<body><h1>Introduction</h1><p>XSLT transforms an XML tree into another tree.</p>"
    + "<p>A stylesheet is a set of templates, each matching some nodes of the input tree.</p>" * 6
    + "</body></html>\n"  # past bs4's first 500 characters, where '</html' would pass for HTML
)


def test_xhtml_page_loads_without_a_parser_warning(tmp_path: Path) -> None:
    """'<?xml version=...?>' first made bs4 warn on stderr ('looks like you're using an HTML parser to parse an
    XML document') at every ingest of Debian's documentation."""
    declared = tmp_path / "intro.html"
    declared.write_text('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + XHTML_BODY, encoding="latin-1")
    bare = tmp_path / "bare.html"
    bare.write_text(XHTML_BODY)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = load_file(declared, "intro.html")
    assert [str(w.message)[:40] for w in caught] == []
    assert loaded.source.text == load_file(bare, "bare.html").source.text
    assert "XSLT transforms an XML tree" in loaded.source.text
    assert [h.title for h in loaded.headings] == ["Introduction"]


def test_folders_deleted_during_the_walk_are_passed_over(tmp_path: Path) -> None:
    """A sync client or `git checkout` removing folders while an ingest walked the tree made Path.rglob raise
    FileNotFoundError, and the whole ingest failed."""
    names = {f"d{i}/sub/note.md" for i in range(150)}
    for _ in range(3):
        for name in names:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text("A note that is about to vanish.\n")
        remover = threading.Thread(
            target=lambda: [shutil.rmtree(tmp_path / f"d{i}", ignore_errors=True) for i in reversed(range(150))]
        )
        remover.start()
        try:
            found = {doc for _, doc in discover(CorpusRoot(tmp_path))}
        finally:
            remover.join()
        assert found <= names | {f"d{i}" for i in range(150)} | {f"d{i}/sub" for i in range(150)}
    assert list(discover(CorpusRoot(tmp_path))) == []
