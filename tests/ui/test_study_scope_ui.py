"""The scope picker in a real browser: a question limited to one document sends that scope, and the
answer's sources (or nearest passages) come from that document only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_scope_picker_limits_the_question(base_url, open_page, chat_factory, artifacts: Path):
    page = open_page(base_url)
    toggle = page.locator("#scope-toggle")
    expect(toggle).to_have_text("Scope: all notes")
    toggle.click()
    picker = page.locator("#scope-picker")
    expect(picker).to_be_visible()
    doc = picker.locator('li.scope-doc[data-doc="rivers.md"]')
    doc.locator("details summary").click()
    expect(doc.locator(".scope-sections input")).not_to_have_count(0)
    doc.locator("> label input").check()
    expect(toggle).to_have_text("Scope: rivers.md")
    page.screenshot(path=artifacts / "study-scope.png")
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()

    requests = []
    page.on("request", lambda r: requests.append(r) if r.url.endswith("/api/ask/stream") else None)
    article, answer = chat_factory(page).submit("Where does photosynthesis take place?")
    assert json.loads(requests[-1].post_data)["scope"] == [{"doc": "rivers.md"}]
    docs = {c["doc"] for c in answer["citations"]} | {h["doc"] for h in answer["nearest"]}
    assert docs <= {"rivers.md"}, docs
    assert answer["abstained"], "a question about photosynthesis was answered from a note on rivers"
    expect(article.locator(".nearest-link").first).to_contain_text("rivers.md")
