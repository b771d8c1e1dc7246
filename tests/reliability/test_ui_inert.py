"""Note text with HTML, javascript: URLs and Markdown links stays inert in the chat page (real chromium).

The answer quotes the note (the quoting writer), so the payload travels every way the page shows note
text: the streamed answer (rendered as Markdown), its citations, and the source panel.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from service.runtime import Runtime
from service.server import running_server
from tests.reliability.conftest import tiny_settings

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PAYLOADS = [
    "[open the manual](javascript:alert('md-link'))",
    "![diagram](javascript:alert('md-image'))",
    "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript:alert('a-tag')\">click</a>",
    "<img src=x onerror=\"alert('img')\">",
    "<svg onload=\"alert('svg')\"></svg>",
    "<iframe src=\"javascript:alert('frame')\"></iframe>",
    "javascript:alert('bare')",
]
NOTE = (
    "# Quokkas\n\n"
    + " ".join(f"The quokka is a small wallaby that lives on Rottnest Island {p} and smiles." for p in PAYLOADS)
    + "\n"
)
CHECK_DOM = """
() => {
  const bad = [];
  for (const el of document.querySelectorAll("a[href], [src], [srcdoc], [formaction]")) {
    for (const attr of ["href", "src", "srcdoc", "formaction"]) {
      const value = (el.getAttribute(attr) || "").trim().toLowerCase();
      if (value.startsWith("javascript:") || value.startsWith("data:text/html")) bad.push(el.outerHTML);
    }
  }
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.getAttributeNames()) if (attr.startsWith("on")) bad.push(el.outerHTML.slice(0, 120));
  }
  for (const tag of ["script:not([src])", "iframe", "object", "embed"]) {
    for (const el of document.querySelectorAll(tag)) bad.push(el.outerHTML.slice(0, 120));
  }
  return bad;
}
"""


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory, tiny_runtime: Runtime):  # noqa: ANN201
    root = tmp_path_factory.mktemp("ui-inert")
    settings = tiny_settings(root)
    (settings.notes_dir / "quokkas.md").write_text(NOTE, encoding="utf-8")
    with running_server(settings, Runtime.build(settings)) as url:
        yield url


def test_links_and_markup_in_notes_stay_inert(page_url: str, figures) -> None:  # noqa: ANN001
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page()
            dialogs, errors, violations = [], [], []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
            page.goto(page_url)
            page.locator("#question").fill("Where does the quokka live?")
            page.locator("#question").press("Enter")
            answer = page.locator(".turn-assistant .answer-body").last
            sync_api.expect(answer).to_contain_text("quokka", timeout=60_000)
            page.locator(".turn-assistant .answer-actions:not([hidden])").last.wait_for(timeout=60_000)
            citation = page.locator(".turn-assistant button.citation").first
            if citation.count():
                citation.click()
                sync_api.expect(page.locator("#source-panel")).to_be_visible()
                source = page.locator("#source-text").evaluate("p => p.textContent")
                assert "javascript:alert('md-link')" in source  # shown as the text it is
            for link in page.locator("a").all():  # clicking any link the page made runs nothing
                href = (link.get_attribute("href") or "").lower()
                assert not href.startswith("javascript:"), href
            page.wait_for_timeout(500)  # an injected handler would have fired by now
            assert page.evaluate(CHECK_DOM) == []
            assert dialogs == [] and errors == [], (dialogs, errors)
            assert violations == [], violations  # nothing even tried to run inline
        finally:
            browser.close()
    figures.add("access", ui_payloads=len(PAYLOADS))
