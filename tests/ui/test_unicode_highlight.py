"""A note with emoji, uploaded by the user: the source panel marks exactly the quoted characters. The server's
offsets count code points and a JS string counts UTF-16 units (two per emoji), so the page converts them."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NOTE = (
    "# Matcha 🍵🙂\n\n"
    "Matcha is frothed with a bamboo whisk 🎋 in a quick zigzag motion until a fine foam covers the tea.\n\n"
    "The tea bowl 🍶 is warmed with hot water before the matcha powder goes in.\n"
)


def test_quotes_after_emoji_are_highlighted_exactly(study_url, open_page, chat_factory):
    with httpx.Client(base_url=study_url, timeout=60) as c:
        files = {"file": ("matcha.md", NOTE.encode(), "text/markdown")}
        assert c.post("/api/documents", files=files).status_code == 201
        try:
            page = open_page(study_url)
            article, answer = chat_factory(page).submit("How is matcha frothed?")
            citation = next(x for x in answer["citations"] if x["doc"] == "uploads/matcha.md")
            article.locator(f'.answer-body button.citation[data-n="{citation["n"]}"]').first.click()
            marks = page.locator("#source-text mark")
            expect(marks).to_have_count(len(citation["spans"]))
            assert marks.all_inner_texts() == [s["quote"] for s in citation["spans"]]
            assert "🎋" in marks.first.inner_text()
        finally:
            c.delete("/api/documents/uploads/matcha.md")
