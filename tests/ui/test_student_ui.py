"""The chat page as a student uses it: inline $...$ TeX (the delimiter most notes use: Obsidian, Jupyter,
pandoc) typeset like \\( \\) while dollar amounts and shell variables stay text; a display formula in a
highlighted quote; TeX in the question's own bubble; a pasted question longer than the limit; deck sizes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LONG = "I read my notes on regression twice and I am still confused by one thing. " * 30 + "What is OLS?"
TEXT = (
    "Ridge adds an $L_2$ penalty $\\lambda \\lVert w \\rVert_2^2$ to the loss. "
    "It costs $5 and $10, or $20,000; see `$HOME` and a \\$ sign."
)


def test_inline_dollar_math_is_typeset_and_prices_are_not(study_url, open_page) -> None:
    page = open_page(study_url)
    result = page.evaluate(
        """async (text) => {
          const math = await import("/static/js/math.js");
          await math.katexReady;
          const p = math.appendWithMath(document.createElement("p"), text);
          document.body.appendChild(p);
          return {
            typeset: Array.from(p.querySelectorAll(".math")).map((e) => [e.dataset.tex, !!e.querySelector(".katex")]),
            plain: Array.from(p.childNodes).filter((n) => n.nodeType === 3).map((n) => n.data),
          };
        }""",
        TEXT,
    )
    assert result["typeset"] == [["$L_2$", True], ["$\\lambda \\lVert w \\rVert_2^2$", True]]
    assert result["plain"][-1] == " to the loss. It costs $5 and $10, or $20,000; see `$HOME` and a \\$ sign."


def test_a_display_formula_inside_a_highlighted_quote_is_highlighted(study_url, open_page) -> None:
    """A quote that takes a display formula with it: the formula's block shows the highlight too."""
    page = open_page(study_url)
    colors = page.evaluate(
        """async () => {
          const math = await import("/static/js/math.js");
          await math.katexReady;
          const mark = math.appendWithMath(document.createElement("mark"), "The estimate is\\n\\n$$\\nx = 1\\n$$");
          mark.className = "highlight";
          const pre = document.querySelector("#source-text");
          pre.appendChild(mark);
          const formula = mark.querySelector(".math-display");
          return [getComputedStyle(mark).backgroundColor, getComputedStyle(formula).backgroundColor];
        }"""
    )
    assert colors[0] == colors[1] != "rgba(0, 0, 0, 0)", colors


def test_tex_in_a_question_is_typeset_in_its_bubble(study_url, open_page, chat_factory) -> None:
    page = open_page(study_url)
    chat_factory(page).submit("What is the update $\\theta_{t+1}$ of gradient descent?")
    bubble = page.locator(".turn-user .bubble").last
    expect(bubble.locator(".math .katex")).to_be_visible()
    assert bubble.locator(".math").evaluate_all("els => els.map(e => e.dataset.tex)") == ["$\\theta_{t+1}$"]
    assert bubble.evaluate("b => b.textContent").startswith("What is the update ")


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


def test_a_deck_of_one_card_says_card(study_url, open_page) -> None:
    page = open_page(study_url)
    counts = page.evaluate(
        """async () => {
          const { cardCount } = await import("/static/js/quiz.js");
          return [cardCount(0), cardCount(1), cardCount(3)];
        }"""
    )
    assert counts == ["0 cards", "1 card", "3 cards"]
