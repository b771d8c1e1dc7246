"""The question box holds the server's question limit: a longer paste is cut by the browser, and the page
says so instead of sending the cut question as if it were whole."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LONG = "I read my notes on regression twice and I am still confused by one thing. " * 30 + "What is OLS?"


def test_a_paste_over_the_limit_says_it_was_cut(study_url, open_page) -> None:
    page = open_page(study_url)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=study_url)
    box = page.locator("#question")
    note = page.locator("#question-limit")
    expect(box).to_have_attribute("maxlength", "2000")
    expect(note).to_be_hidden()
    page.evaluate("(text) => navigator.clipboard.writeText(text)", LONG)
    box.focus()
    page.keyboard.press("Control+V")
    expect(note).to_have_text(
        "The pasted text was cut at 2000 characters, the most a question may have: its end is missing."
    )
    assert len(box.input_value()) == 2000 < len(LONG)
    page.keyboard.press("Backspace")
    expect(note).to_be_hidden()
    page.keyboard.type("x")
    expect(note).to_have_text("2000 characters is the most a question may have.")
