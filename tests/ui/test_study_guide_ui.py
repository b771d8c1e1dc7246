"""Source guides in a real browser: opening a document shows its outline (each entry highlights its span)
and its suggested questions; an empty chat offers the notes' questions as starters."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_opening_a_document_shows_its_guide(study_url, open_page, chat_factory, artifacts: Path):
    page = open_page(study_url)
    page.locator("#toggle-docs").click()
    page.locator('li.doc-item[data-doc="optimizers.md"] button.doc-open').click()
    panel = page.locator("#source-panel")
    expect(panel.locator("#source-guide")).to_be_visible()
    entries = panel.locator("button.outline-entry")
    expect(entries).to_have_text(["Gradient descent", "Adam", "Momentum"])
    expect(panel.locator("#source-text .math .katex").first).to_be_visible()  # the whole note, typeset
    panel.locator("button.outline-entry", has_text="Adam").click()
    mark = panel.locator("#source-text mark")
    expect(mark).to_have_count(1)
    assert "## Adam" in mark.evaluate("m => m.textContent")
    expect(panel.locator("#source-guide")).to_be_visible()  # the guide stays while its entries are opened
    questions = panel.locator("button.guide-question")
    expect(questions.first).to_be_visible()
    page.screenshot(path=artifacts / "study-guide.png")

    with page.expect_response("**/api/ask/stream"):
        panel.locator("button.guide-question", has_text="What is Adam?").click()
    expect(page.locator(".turn-user .bubble").last).to_have_text("What is Adam?")
    expect(page.locator(".turn-assistant .answer-actions:not([hidden])")).to_have_count(1, timeout=60_000)


def test_empty_chat_offers_starter_questions(study_url, open_page, artifacts: Path):
    page = open_page(study_url)
    starters = page.locator("#empty-state button.starter")
    expect(starters.first).to_be_visible()
    labels = starters.all_inner_texts()
    assert "What does ATP stand for?" in labels
    page.screenshot(path=artifacts / "study-starters.png")
    with page.expect_response("**/api/ask/stream"):
        starters.filter(has_text="What does ATP stand for?").click()
    answer = page.locator(".turn-assistant").first
    expect(answer.locator(".answer-actions:not([hidden])")).to_be_visible(timeout=60_000)
    expect(answer.locator(".answer-body")).to_contain_text("Adenosine triphosphate")
