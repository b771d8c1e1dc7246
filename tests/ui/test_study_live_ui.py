"""The live notes folder in a real browser: a note saved into the folder shows up in the Documents panel
as indexed within seconds, and an unsupported file as skipped with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_documents_panel_shows_live_file_status(study_server, open_page, artifacts: Path):
    url, notes = study_server
    page = open_page(url)
    page.locator("#toggle-docs").click()
    watch = page.locator("#watch-status")
    expect(watch).to_be_visible(timeout=15_000)
    expect(page.locator("#watch-note")).to_contain_text("Watching the notes folder")
    expect(watch.locator('li[data-doc="rivers.md"] .watch-badge')).to_have_text("indexed")

    (notes / "volcanoes.md").write_text("# Volcanoes\n\nA volcano is an opening where magma reaches the surface.\n")
    (notes / "sketch.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    expect(watch.locator('li[data-doc="volcanoes.md"] .watch-badge')).to_have_text("indexed", timeout=20_000)
    skipped = watch.locator('li[data-doc="sketch.png"]')
    expect(skipped.locator(".watch-badge")).to_have_text("skipped")
    expect(skipped.locator(".watch-reason")).not_to_be_empty()
    # the document list follows the new index generation
    expect(page.locator('#docs-list li.doc-item[data-doc="volcanoes.md"]')).to_have_count(1, timeout=10_000)
    page.screenshot(path=artifacts / "study-live-folder.png")
    (notes / "volcanoes.md").unlink()
    (notes / "sketch.png").unlink()
    expect(watch.locator('li[data-doc="volcanoes.md"]')).to_have_count(0, timeout=20_000)
