"""A site's navigation and footer are context, never quoted, whether the page writes them as <nav>/<footer> or as
an ARIA role on a <div> (Sphinx's "related" bar: the breadcrumb "Python Frequently Asked Questions »" was quoted as
the answer to a question about switch statements)."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import load_file

PAGE = """<html><body>
<div class="related" role="navigation" aria-label="related navigation">
<ul><li><a href="index.html">Python Frequently Asked Questions</a> &#187;</li></ul></div>
<div role="main"><h1>Design and History FAQ</h1>
<p>For literal values you can use a match statement.</p></div>
<div class="footer" role="contentinfo">&#169; Copyright 2001-2023, Python Software Foundation.</div>
<div role="note">A note is read and quoted.</div>
</body></html>
"""


def test_aria_navigation_and_contentinfo_are_context(tmp_path: Path) -> None:
    (tmp_path / "design.html").write_text(PAGE, encoding="utf-8")
    loaded = load_file(tmp_path / "design.html", "design.html")
    text = loaded.source.text
    marked = [text[s:e] for s, e in loaded.context]
    assert any("Python Frequently Asked Questions" in m for m in marked), marked
    assert any("Copyright 2001-2023" in m for m in marked), marked
    assert not any("match statement" in m or "A note is read" in m for m in marked), marked
