"""The chat page for a keyboard user, a screen reader user, a phone-width window, dark mode and reduced motion.

All against the study server (the quoting writer answers in a second). Contrast is computed from the colors the
browser computed, with WCAG's relative-luminance formula: 4.5:1 for text, 3:1 for a focus ring against what is
behind it (SC 1.4.3, 1.4.11).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# contrast(el, kind): the WCAG ratio of el's text color ("text") or focus ring ("ring") to the background behind
# it: the first opaque background up the tree, translucent ones blended over it.
CONTRAST = """([el, kind]) => {
  const rgba = (s) => {
    const m = s.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3])).concat([1]);
  const backdrop = (node) => {
    const layers = [];
    for (let n = node; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let color = [255, 255, 255, 1];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const lum = (c) => {
    const linear = (v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
    const [r, g, b] = c.slice(0, 3).map(linear);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(el);
  const fg = rgba(kind === "ring" ? style.outlineColor : style.color);
  const bg = kind === "ring" ? backdrop(el.parentElement) : backdrop(el);
  const [hi, lo] = [lum(over(fg, bg)), lum(bg)].sort((a, b) => b - a);
  return Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100;
}"""

# Every region a screen reader speaks from, and what it said: one entry per change of its text.
LIVE_LOG = """() => {
  window.__spoken = [];
  const regions = "[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]";
  new MutationObserver((records) => {
    for (const record of records) {
      const node = record.type === "characterData" ? record.target.parentElement : record.target;
      const region = node && node.closest && node.closest(regions);
      if (region && region.textContent.trim()) window.__spoken.push(region.textContent);
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""

TEXT_SELECTORS = [
    "body",
    ".answer-body",
    ".answer-body button.citation",
    ".sources summary",
    ".source-link",
    ".turn-user .bubble",
    "#question",
    "#send",
    "#source-text",
    "#source-text mark",
]
RING_SELECTORS = ["#send", "#question", ".answer-body button.citation", "#toggle-docs", "#close-source"]


def _ask_and_open_first_citation(page, chat_factory):  # noqa: ANN001, ANN202 - playwright Page
    article, answer = chat_factory(page).submit("What is Adam?")
    article.locator(".answer-body button.citation").first.click()
    expect(page.locator("#source-text mark").first).to_be_visible()
    page.locator("#question").fill("a question in the box")
    return article, answer


def _ratio(locator, kind: str) -> float:  # noqa: ANN001 - playwright Locator
    return locator.evaluate(f"(el) => ({CONTRAST})([el, '{kind}'])")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_and_focus_rings_are_readable(scheme, study_url, open_page, chat_factory, artifacts: Path):
    page = open_page(study_url, color_scheme=scheme)
    _ask_and_open_first_citation(page, chat_factory)
    page.screenshot(path=artifacts / f"a11y-{scheme}.png")
    if scheme == "dark":
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(247, 247, 245)"
    text = {selector: _ratio(page.locator(selector).first, "text") for selector in TEXT_SELECTORS}
    assert not {s: r for s, r in text.items() if r < 4.5}, f"{scheme}: text below 4.5:1: {text}"

    rings = {}
    for selector in RING_SELECTORS:
        target = page.locator(selector).first
        target.focus()
        page.keyboard.press("Shift+Tab")  # arrive by keyboard, so :focus-visible applies
        page.keyboard.press("Tab")
        expect(target).to_be_focused()
        rings[selector] = _ratio(target, "ring")
    assert not {s: r for s, r in rings.items() if r < 3}, f"{scheme}: focus ring below 3:1 on its background: {rings}"


def test_the_answer_is_announced_once_and_its_citation_says_what_is_highlighted(study_url, open_page, chat_factory):
    """A screen reader hears the finished answer once (not token by token, not again when it is rendered), and
    opening [n] says which passage is highlighted; Escape goes back to the [n]."""
    page = open_page(study_url)
    page.evaluate(LIVE_LOG)
    article, answer = chat_factory(page).submit("What is Adam?")
    announcer = page.locator("#announcer")
    expect(announcer).to_contain_text("Answer: Adam is an optimizer")
    expect(announcer).not_to_contain_text("[1]")  # the markers are buttons on the page, not words to read
    # the formula \\(1 - \\beta_1^t\\) is read as its TeX, without delimiters and backslashes
    expect(announcer).to_contain_text("divides it by 1 - beta_1^t because")
    phrase = "keeps moving averages of the gradient"
    assert phrase in answer["text"]
    spoken = page.evaluate("window.__spoken")
    assert [s for s in spoken if phrase in s] == [announcer.text_content()], spoken

    citation = article.locator(".answer-body button.citation").first
    citation.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#close-source")).to_be_focused()
    quote = answer["citations"][0]["spans"][0]["quote"]
    expect(announcer).to_contain_text(f"Source [1], {answer['citations'][0]['doc']}. Highlighted: {quote}")
    page.keyboard.press("Escape")
    expect(citation).to_be_focused()


def test_starter_questions_are_buttons_to_a_screen_reader(study_url, open_page):
    page = open_page(study_url)
    # a button is called what it shows ("Send", "Answering…" while busy), so voice control finds it by its text
    expect(page.get_by_role("button", name="Send", exact=True)).to_have_count(1)
    starters = page.get_by_role("list", name="Questions from your notes")
    expect(starters.get_by_role("listitem").first).to_be_visible()
    expect(starters.get_by_role("button", name="What is Adam?")).to_have_count(1)
    assert starters.get_by_role("button").count() == starters.get_by_role("listitem").count()


def test_quiz_by_keyboard_enter_checks_the_answer(study_url, open_page):
    page = open_page(study_url)
    page.locator("#open-quiz").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#quiz-answer")).to_be_focused()
    # rivers.md's deck: grading leaves test_study_quiz_ui's deck (biology, its first card) as it was
    with page.expect_response("**/api/quiz/next?doc=rivers.md*"):
        page.locator("#quiz-deck").select_option("rivers.md")
    expect(page.locator(".quiz-question")).not_to_have_text("What does ATP stand for?")
    expect(page.locator("#quiz-answer")).to_be_focused()
    # a whole document has no breadcrumbs: no empty navigation landmark is left for a screen reader to visit
    assert "Breadcrumbs" not in page.locator("#source-panel").aria_snapshot()
    page.keyboard.type("adenosine triphosphate")
    page.keyboard.press("Enter")
    expect(page.locator(".quiz-result")).to_be_visible()
    expect(page.locator(".quiz-next")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#open-quiz")).to_be_focused()


HEADING_LEVELS = "() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'), (h) => Number(h.tagName[1]))"


def test_headings_keep_their_order_around_answers(study_url, open_page):
    """A screen reader user jumps by headings: under the page's h1 the chat is an h2, and what an answer adds
    (the nearest passages' h3, a note's own '# Title' quoted in Markdown) sits below it, never skipping a level."""
    page = open_page(study_url)
    expect(page.get_by_role("main", name="Chat").get_by_role("heading", name="Chat", level=2)).to_have_count(1)
    levels = page.evaluate(
        """async () => {
          const { markdownReady, renderMarkdown } = await import("/static/js/markdown.js");
          await markdownReady;
          const body = document.createElement("div");
          body.className = "answer-body";
          document.querySelector("#conversation").appendChild(body);
          const sentences = [
            { text: "# Adam", citations: [], supported: true, separator: "\\n\\n" },
            { text: "## Defaults", citations: [], supported: true, separator: "\\n\\n" },
            { text: "Beta1 is 0.9.", citations: [], supported: true, separator: "" },
          ];
          renderMarkdown(body, sentences, () => null, () => null);
          return Array.from(body.querySelectorAll("h1, h2, h3, h4, h5, h6"), (h) => [h.tagName, h.textContent]);
        }"""
    )
    assert levels == [["H3", "Adam"], ["H4", "Defaults"]]
    order = page.evaluate(HEADING_LEVELS)
    assert order[0] == 1 and all(b <= a + 1 for a, b in zip(order, order[1:], strict=False)), order


def test_keyboard_focus_is_never_lost_to_the_page(study_url, open_page, chat_factory):
    """At phone width: a document opened from the Documents overlay shows its guide, and Escape goes back to the
    Documents button (focus fell to <body> before); a starter question pressed with Enter leaves focus in the
    question box (the starter disappears with the empty chat)."""
    page = open_page(study_url, width=375, height=740)
    page.locator("#toggle-docs").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#close-docs")).to_be_focused()
    expect(page.locator(".doc-open").first).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(".doc-open").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#source-panel .guide")).to_be_visible()
    expect(page.locator("#close-source")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.keyboard.press("Escape")
    expect(page.locator("#source-panel")).to_be_hidden()
    expect(page.locator("#toggle-docs")).to_be_focused()

    starter = page.get_by_role("button", name="What is Adam?")
    starter.focus()
    with page.expect_response("**/api/ask/stream"):
        page.keyboard.press("Enter")
    expect(page.locator(".turn-assistant .answer-actions")).to_be_visible()
    expect(page.locator("#question")).to_be_focused()


def test_at_phone_width_the_source_opens_with_its_close_button_in_sight(study_url, open_page, chat_factory):
    """The highlight is scrolled into view inside the overlay; the focused Close button must stay on screen
    (it was scrolled out above, focus ring and all), and nothing scrolls sideways."""
    page = open_page(study_url, width=375, height=640)
    article, _ = chat_factory(page).submit("What is Adam?")
    citation = article.locator(".answer-body button.citation").first
    citation.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#source-text mark").first).to_be_in_viewport()
    close = page.locator("#close-source")
    expect(close).to_be_focused()
    box = close.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 640, box
    expect(close).to_be_in_viewport(ratio=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.keyboard.press("Escape")
    expect(citation).to_be_focused()


LONG_LINES = """async () => {
  const { renderAnswer } = await import("/static/js/answer.js");
  const { markdownReady } = await import("/static/js/markdown.js");
  const { katexReady } = await import("/static/js/math.js");
  await Promise.all([markdownReady, katexReady]);
  const body = Object.assign(document.createElement("div"), { className: "answer-body" });
  const extras = document.createElement("div");
  const bubble = Object.assign(document.createElement("div"), { className: "bubble" });
  const article = Object.assign(document.createElement("article"), { className: "turn turn-assistant" });
  bubble.append(body, extras);
  article.append(bubble);
  document.querySelector("#conversation").appendChild(article);
  const code = "```python\\nresult = fit_the_model(training_features, training_labels, validation_split=0.2)\\n```";
  const formula = "$$L(\\\\theta) = \\\\sum_{i=1}^{n} (y_i - \\\\theta_0 - \\\\theta_1 x_{i1} - \\\\theta_2 x_{i2}"
    + " - \\\\theta_3 x_{i3})^2 + \\\\lambda \\\\sum_j \\\\theta_j^2$$";
  const citation = { n: 1, doc: "optimizers.md", breadcrumbs: ["Optimizers"], start: 0, end: 4, kind: "note" };
  renderAnswer({ article, body, extras }, {
    question: "q", query: "q", abstained: false, citations: [citation], nearest: [],
    sentences: [
      { text: "Fit it like this:", citations: [], supported: true, separator: "\\n\\n" },
      { text: code, citations: [], supported: true, separator: "\\n\\n" },
      { text: formula + " [1]", citations: [1], supported: true, separator: "\\n\\n" },
      { text: "Then check the loss.", citations: [], supported: true, separator: "" },
    ],
  });
  const scrolls = (el) => [el.scrollWidth > el.clientWidth, getComputedStyle(el).overflowX];
  return {
    page: document.documentElement.scrollWidth,
    code: scrolls(body.querySelector("pre")),
    codeText: body.querySelector("pre").textContent,
    formula: scrolls(body.querySelector(".math-display")),
    after: body.lastElementChild.textContent,
  };
}"""


def test_phone_width_long_code_and_formulas_scroll_in_their_box_and_motion_can_stop(study_url, open_page):
    """At 375 px a long code line and a long display formula scroll inside their own box, not the page; a fenced
    block closes where its fence does (the text after it was swallowed into the code, '```' shown); with
    reduced motion the streaming cursor does not blink."""
    page = open_page(study_url, width=375, height=740, reduced_motion="reduce")
    result = page.evaluate(LONG_LINES)
    assert result["page"] <= 375, result
    assert result["code"] == [True, "auto"] and result["formula"] == [True, "auto"], result
    assert (
        result["codeText"].strip() == "result = fit_the_model(training_features, training_labels, validation_split=0.2)"
    )
    assert result["after"] == "Then check the loss."
    page.evaluate("() => document.body.append(Object.assign(document.createElement('div'), { id: 'probe' }))")
    blink = """() => {
      const probe = document.getElementById("probe");
      probe.className = "answer-body streaming";
      return getComputedStyle(probe, "::after").animationName;
    }"""
    assert page.evaluate(blink) == "none"
    page.emulate_media(reduced_motion="no-preference")
    assert page.evaluate(blink) == "blink"


def test_scope_picker_by_keyboard(study_url, open_page):
    """Enter on 'Scope: all notes' opens the picker with focus left on the toggle: Escape closes it from there
    (it stayed open), Space on a document's box limits the scope."""
    page = open_page(study_url)
    toggle = page.locator("#scope-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#scope-picker")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#scope-picker")).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page.get_by_role("checkbox", name="rivers.md")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("checkbox").first).to_be_focused()
    page.keyboard.press("Space")
    expect(toggle).to_have_text("Scope: " + page.get_by_role("checkbox").first.evaluate("b => b.dataset.title"))
    page.keyboard.press("Escape")
    expect(toggle).to_be_focused()
