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
  const rgba = (s) => { const m = s.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
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
    const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
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
