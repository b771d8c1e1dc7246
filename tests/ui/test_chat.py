"""The chat page in a real browser: streaming, citations, the source panel, keyboard use, 375 px, feedback."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

QUESTION = "Where does photosynthesis take place?"
# each <mark>'s text with its typeset formulas read back as the TeX they were typeset from (as copying does)
MARKED_TEX = """ms => ms.map((m) => {
  const copy = m.cloneNode(true);
  for (const math of copy.querySelectorAll(".math")) math.replaceWith(math.dataset.tex);
  return copy.textContent;
})"""


def test_streamed_answer_cites_and_highlights_the_passage(base_url, open_page, chat_factory, artifacts: Path):
    page = open_page(base_url)
    chat = chat_factory(page)
    article, answer = chat.submit(QUESTION)

    assert not answer["abstained"], answer
    assert answer["citations"], "the answer cites no passage"
    assert page.evaluate("window.__tokenUpdates") >= 2, "the answer did not stream in pieces"
    body = article.locator(".answer-body")
    expect(body).to_have_attribute("aria-busy", "false")
    assert body.inner_text().strip() == answer["text"].strip()

    buttons = article.locator(".answer-body button.citation")
    expect(buttons.first).to_be_visible()
    page.screenshot(path=artifacts / "01-answer-with-citations.png")

    n = int(buttons.first.get_attribute("data-n"))
    citation = next(c for c in answer["citations"] if c["n"] == n)
    buttons.first.click()
    panel = page.locator("#source-panel")
    expect(panel).to_be_visible()
    marks = panel.locator("mark")  # one per quoted span (the whole passage when the model wrote the answer)
    expect(marks).to_have_count(len(citation["spans"]))
    expect(marks).to_have_text([s["quote"] for s in citation["spans"]], use_inner_text=False)
    assert marks.evaluate_all("ms => ms.map(m => m.textContent)") == [s["quote"] for s in citation["spans"]]
    expect(panel.locator("#source-doc")).to_contain_text(citation["doc"])
    for crumb in citation["breadcrumbs"]:
        expect(panel.locator("#source-breadcrumbs")).to_contain_text(crumb)
    # The highlight sits inside its surrounding text, not alone.
    assert len(panel.locator("#source-text").evaluate("p => p.textContent")) > len(citation["quote"])
    page.screenshot(path=artifacts / "02-source-panel.png")

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(buttons.first).to_be_focused()


def test_each_quoted_sentence_is_highlighted_not_the_text_between(study_url, open_page, chat_factory, artifacts):
    """The quoting writer takes two sentences of the Adam passage, with a formula between them: the source
    panel marks the two sentences, each exactly, and leaves the formula unmarked."""
    page = open_page(study_url)
    article, answer = chat_factory(page).submit("What is Adam?")
    citation = next(c for c in answer["citations"] if len(c["spans"]) >= 2)
    article.locator(f'.answer-body button.citation[data-n="{citation["n"]}"]').first.click()
    text = page.locator("#source-text")
    marks = text.locator("mark")
    expect(marks).to_have_count(len(citation["spans"]))
    assert marks.evaluate_all(MARKED_TEX) == [s["quote"] for s in citation["spans"]]
    first, second = citation["spans"][:2]
    assert "$$m_t" in citation["quote"][first["end"] - citation["start"] : second["start"] - citation["start"]]
    formula = text.locator('.math[data-tex^="$$m_t"]')  # the formula between the two quotes...
    expect(formula).to_be_visible()
    expect(text.locator('mark .math[data-tex^="$$m_t"]')).to_have_count(0)  # ...is shown outside every mark
    page.screenshot(path=artifacts / "02b-two-quoted-spans.png")


def test_unsupported_sentences_and_abstention_are_visible(base_url, open_page, chat_factory, artifacts: Path):
    page = open_page(base_url)
    article, answer = chat_factory(page).submit("What is the capital city of Peru and who founded it?")
    if answer["abstained"]:
        expect(article).to_have_class(re.compile(r"\babstained\b"))
        nearest = article.locator(".nearest")
        expect(nearest).to_be_visible()
        expect(nearest.locator(".nearest-link")).to_have_count(len(answer["nearest"]))
        if answer["nearest"]:
            nearest.locator(".nearest-link").first.click()
            expect(page.locator("#source-panel mark")).to_have_text(answer["nearest"][0]["text"], use_inner_text=False)
    unsupported = [s for s in answer["sentences"] if not s["supported"]]
    expect(article.locator(".sentence.unsupported")).to_have_count(len(unsupported))
    for i in range(len(unsupported)):
        assert article.locator(".sentence.unsupported").nth(i).get_attribute("title")
    page.screenshot(path=artifacts / "03-not-in-your-notes.png")
    assert answer["abstained"] or unsupported, "an off-topic question was answered as if the notes covered it"


def test_keyboard_only_follow_up_and_new_chat(base_url, open_page, chat_factory, artifacts: Path):
    page = open_page(base_url)
    chat = chat_factory(page)
    # Tab to the skip link and follow it to the question box.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#question")).to_be_focused()

    # Shift+Enter is a new line, not a send.
    page.keyboard.type("What does Adam keep")
    page.keyboard.press("Shift+Enter")
    assert page.locator("#question").input_value() == "What does Adam keep\n"
    assert page.locator(".turn-user").count() == 0
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")

    first, first_answer = chat.submit("What does the Adam optimizer keep track of?", keyboard_only=True)
    expect(page.locator("#question")).to_have_value("")

    with page.expect_request("**/api/ask/stream") as request_info:
        second, second_answer = chat.submit("What are its default values?", keyboard_only=True)
    # the follow-up was searched with the conversation's topic, and the answer says so
    assert "adam" in second_answer["query"].lower()
    expect(second.locator(".searched-for")).to_have_text("Searched the notes for: " + second_answer["query"])
    expect(first.locator(".searched-for")).to_have_count(0)
    history = request_info.value.post_data_json["history"]
    assert [turn["role"] for turn in history] == ["user", "assistant"]
    assert history[0]["content"] == "What does the Adam optimizer keep track of?"
    assert history[1]["content"] == first_answer["text"]

    # Tab forward to the first citation or nearest passage and open it with the keyboard.
    target = None
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        if "citation" in focused or "source-link" in focused or "nearest-link" in focused:
            target = focused
            break
    assert target, "no citation could be reached with Tab"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused citation has no visible focus ring"
    page.screenshot(path=artifacts / "04-keyboard-focus.png")
    page.keyboard.press("Enter")
    expect(page.locator("#source-panel")).to_be_visible()
    expect(page.locator("#close-source")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#source-panel")).to_be_hidden()

    # New chat, by keyboard: history is cleared and the next question goes without it.
    page.locator("#new-chat").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".turn")).to_have_count(0)
    expect(page.locator("#question")).to_be_focused()
    assert first.count() == 0


def test_narrow_screen_375px(base_url, open_page, chat_factory, artifacts: Path):
    page = open_page(base_url, width=375, height=740)
    page.screenshot(path=artifacts / "05-mobile-empty.png")
    article, answer = chat_factory(page).submit(QUESTION)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the page scrolls sideways at 375 px"
    page.screenshot(path=artifacts / "06-mobile-answer.png")
    opener = article.locator("button.citation, .source-link, .nearest-link").first
    opener.click()
    panel = page.locator("#source-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box is not None and box["x"] == 0 and box["width"] == 375, f"the panel is no overlay: {box}"
    assert panel.evaluate("p => getComputedStyle(p).position") == "fixed"
    page.screenshot(path=artifacts / "07-mobile-source-overlay.png")
    # The overlay keeps keyboard focus: Tab never reaches the chat behind it.
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('#source-panel') !== null")
    page.locator("#close-source").click()
    expect(panel).to_be_hidden()
    assert page.evaluate("document.getElementById('chat').inert") is False


def test_thumbs_are_stored_and_listed(base_url, open_page, chat_factory, artifacts: Path):
    page = open_page(base_url, permissions=["clipboard-read", "clipboard-write"])
    article, answer = chat_factory(page).submit(QUESTION)

    article.get_by_role("button", name="Good answer").click()
    expect(article.get_by_role("button", name="Good answer")).to_have_attribute("aria-pressed", "true")
    expect(article.locator(".action-status")).to_have_text("Thanks for the feedback.")
    article.get_by_role("button", name="Bad answer").click()
    expect(article.get_by_role("button", name="Bad answer")).to_have_attribute("aria-pressed", "true")
    expect(article.get_by_role("button", name="Good answer")).to_have_attribute("aria-pressed", "false")

    article.get_by_role("button", name="Copy answer").click()
    expect(article.locator(".action-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == answer["text"]
    page.screenshot(path=artifacts / "08-feedback.png")

    listed = httpx.get(f"{base_url}/api/feedback", timeout=10).json()
    mine = [f for f in listed["feedback"] if f["answer_id"] == answer["id"]]
    assert [f["rating"] for f in mine] == ["down", "up"]
    assert all(f["question"] == QUESTION and f["answer"] == answer["text"] for f in mine)
    assert mine[0]["citations"] == answer["citations"]
    assert listed["counts"]["up"] >= 1 and listed["counts"]["down"] >= 1


def test_api_key_is_kept_in_local_storage_and_sent_as_bearer(base_url, open_page):
    page = open_page(base_url)
    page.locator("#toggle-settings").click()
    expect(page.locator("#api-key")).to_be_focused()
    page.keyboard.type("k-123")
    page.keyboard.press("Enter")
    expect(page.locator("#settings-status")).to_have_text("Saved.")
    assert page.evaluate("localStorage.getItem('notecite.apiKey')") == "k-123"

    page.reload()
    with page.expect_request("**/api/documents") as request_info:
        page.locator("#toggle-docs").click()
    assert request_info.value.headers.get("authorization") == "Bearer k-123"
    page.keyboard.press("Escape")
    page.locator("#toggle-settings").click()
    page.locator("#clear-key").click()
    assert page.evaluate("localStorage.getItem('notecite.apiKey')") is None
