"""The documents panel in a real browser: list, upload by picker and by drag-and-drop, delete; and a note
full of markup that must stay inert text everywhere it is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VOLCANO_NOTE = (
    "# Volcanoes\n\n"
    "A stratovolcano is a tall, steep, conical volcano built up by many layers of hardened lava, ash and "
    "pumice. Mount Fuji in Japan is a well-known stratovolcano. Stratovolcanoes erupt explosively because "
    "their thick, sticky magma traps gas.\n"
)
PAYLOAD_SCRIPT = "<script>alert(1)</script>"
PAYLOAD_IMG = "<img src=x onerror=\"alert('img')\">"
MARKUP_NOTE = (
    "The zorblax protocol synchronises garden sprinklers over short-range radio. "
    f"{PAYLOAD_SCRIPT} Every zorblax sprinkler sends a heartbeat message every ten seconds. "
    f"{PAYLOAD_IMG} The zorblax protocol was first used in greenhouses.\n"
)

DROP_FILE = """
([name, text]) => {
  const zone = document.getElementById("drop-zone");
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, { type: "text/plain" }));
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}
"""


def open_documents(page) -> None:  # noqa: ANN001
    page.locator("#toggle-docs").click()
    expect(page.locator("#docs-panel")).to_be_visible()
    expect(page.locator("#docs-status")).to_contain_text(" indexed.")


def test_upload_by_picker_then_answer_cites_it_then_delete(
    base_url, open_page, chat_factory, artifacts: Path, tmp_path: Path
):
    page = open_page(base_url)
    open_documents(page)
    expect(page.locator('.doc-item[data-doc="rivers.md"]')).to_contain_text("indexed")
    expect(page.locator('.doc-item[data-doc="rivers.md"] .doc-delete')).to_have_count(0)

    note = tmp_path / "volcanoes.md"
    note.write_text(VOLCANO_NOTE, encoding="utf-8")
    with page.expect_file_chooser() as chooser:
        page.locator("#choose-file").click()
    chooser.value.set_files(note)
    item = page.locator('.doc-item[data-doc="uploads/volcanoes.md"]')
    expect(item).to_be_visible(timeout=60_000)
    expect(page.locator("#docs-status")).to_have_text("Indexed uploads/volcanoes.md.")
    page.screenshot(path=artifacts / "10-documents-uploaded.png")
    page.locator("#close-docs").click()

    article, answer = chat_factory(page).submit("What is a stratovolcano?")
    cited_docs = {c["doc"] for c in answer["citations"]}
    assert "uploads/volcanoes.md" in cited_docs, answer
    cited = next(c for c in answer["citations"] if c["doc"] == "uploads/volcanoes.md")
    article.locator(f'.answer-body button.citation[data-n="{cited["n"]}"]').first.click()
    expect(page.locator("#source-doc")).to_have_text("uploads/volcanoes.md")
    marks = page.locator("#source-panel mark")  # one per quoted span
    expect(marks).to_have_count(len(cited["spans"]))
    expect(marks.first).to_contain_text("stratovolcano")
    page.screenshot(path=artifacts / "11-answer-from-upload.png")
    page.keyboard.press("Escape")

    open_documents(page)
    delete = item.locator(".doc-delete")
    delete.click()
    expect(delete).to_have_text("Confirm delete")
    delete.click()
    expect(item).to_have_count(0, timeout=60_000)
    expect(page.locator('.doc-item[data-doc="rivers.md"]')).to_be_visible()


def test_markup_in_a_note_renders_as_inert_text(base_url, open_page, chat_factory, artifacts: Path):
    page = open_page(base_url)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    chat = chat_factory(page)

    open_documents(page)
    page.evaluate(DROP_FILE, ["zorblax.txt", MARKUP_NOTE])
    expect(page.locator('.doc-item[data-doc="uploads/zorblax.txt"]')).to_be_visible(timeout=60_000)
    page.locator("#close-docs").click()

    article, answer = chat.submit("What is the zorblax protocol?")
    zorblax = [c for c in answer["citations"] if c["doc"] == "uploads/zorblax.txt"]
    opener = (
        article.locator(f'.answer-body button.citation[data-n="{zorblax[0]["n"]}"]').first
        if zorblax
        else article.locator(".nearest-link").filter(has_text="uploads/zorblax.txt").first
    )
    opener.click()
    panel = page.locator("#source-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#source-doc")).to_have_text("uploads/zorblax.txt")
    expect(page.locator("#source-text")).to_contain_text(PAYLOAD_SCRIPT)  # the source is fetched after the panel opens
    source_text = page.locator("#source-text").evaluate("p => p.textContent")
    assert PAYLOAD_SCRIPT in source_text and PAYLOAD_IMG in source_text
    page.wait_for_timeout(500)  # give an injected onerror handler time to fire, were there one
    page.screenshot(path=artifacts / "12-markup-inert.png")

    assert dialogs == [], f"a dialog fired: {dialogs}"
    assert chat.created_elements() == [], "note text created elements"
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1  # app.js alone
    assert page.evaluate("document.querySelectorAll('[onerror], [onload], [onclick]').length") == 0


def test_a_reupload_says_what_it_replaced(base_url, open_page) -> None:  # noqa: ANN001
    """Uploading a name already uploaded replaces it: the notice says so, with the earlier version's size."""
    page = open_page(base_url)
    open_documents(page)
    first, second = "# Comets\n\nA comet is an icy body.\n", "# Comets\n\nA comet is an icy body that sheds gas.\n"
    page.evaluate(DROP_FILE, ["comets.md", first])
    expect(page.locator("#docs-status")).to_have_text("Indexed uploads/comets.md.", timeout=60_000)
    page.evaluate(DROP_FILE, ["comets.md", second])
    replaced = f"Indexed uploads/comets.md: it replaced the earlier {len(first.encode())}-byte version."
    expect(page.locator("#docs-status")).to_have_text(replaced, timeout=60_000)
    page.evaluate(DROP_FILE, ["comets.md", second])
    expect(page.locator("#docs-status")).to_have_text(
        "Indexed uploads/comets.md: it replaced the same content.", timeout=60_000
    )
    assert page.request.delete(f"{base_url}/api/documents/uploads/comets.md").status == 200
