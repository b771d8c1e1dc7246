"""Math and Markdown in a real browser: KaTeX (vendored, no network) typesets TeX in sources and answers and
falls back to the raw TeX; copying gives the TeX back; answers are Markdown through a sanitizer."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COPY_SELECTION = """(selector) => {
  const range = document.createRange();
  range.selectNodeContents(document.querySelector(selector));
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  let copied = null;
  const grab = (event) => { copied = event.clipboardData.getData("text/plain"); };
  window.addEventListener("copy", grab);
  document.execCommand("copy");
  window.removeEventListener("copy", grab);
  return copied;
}"""


def test_tex_in_a_cited_source_is_typeset_and_copies_as_tex(study_url, open_page, chat_factory, artifacts: Path):
    page = open_page(study_url)
    offline = []
    page.on("request", lambda r: offline.append(r.url) if not r.url.startswith(study_url) else None)
    article, answer = chat_factory(page).submit("What is Adam?")
    assert not answer["abstained"] and answer["citations"]
    article.locator(".answer-body button.citation").first.click()
    source = page.locator("#source-text")
    expect(source.locator(".math .katex").first).to_be_visible()
    tex = source.locator(".math").evaluate_all("els => els.map(e => e.dataset.tex)")
    assert "$$m_t = \\beta_1 m_{t-1} + (1 - \\beta_1) g_t$$" in tex
    assert "\\(1 - \\beta_1^t\\)" in tex
    display = source.locator('.math-display[data-tex^="$$"] .katex-display')
    expect(display).to_have_count(1)
    page.screenshot(path=artifacts / "study-math.png")
    copied = page.evaluate(COPY_SELECTION, "#source-text")
    assert "$$m_t = \\beta_1 m_{t-1} + (1 - \\beta_1) g_t$$" in copied
    assert "bias correction divides it by \\(1 - \\beta_1^t\\)" in copied
    assert not offline, f"the page reached outside the server: {offline}"


def test_unparseable_tex_falls_back_to_the_raw_text(study_url, open_page):
    page = open_page(study_url)
    result = page.evaluate("""async () => {
      const math = await import("/static/js/math.js");
      await math.katexReady;
      const p = math.appendWithMath(document.createElement("p"), "good \\\\(x^2\\\\) bad \\\\(\\\\frac{1}{\\\\)");
      document.body.appendChild(p);
      return {
        ok: p.querySelectorAll(".math .katex").length,
        broken: Array.from(p.querySelectorAll(".math-error")).map((e) => e.textContent),
      };
    }""")
    assert result == {"ok": 1, "broken": ["\\(\\frac{1}{\\)"]}


def test_answers_render_markdown_sanitized_with_citations_and_math(study_url, open_page, artifacts: Path):
    page = open_page(study_url)
    result = page.evaluate("""async () => {
      const { markdownReady, renderMarkdown } = await import("/static/js/markdown.js");
      await markdownReady;
      const sentences = [
        { text: "Adam keeps **two** moving averages [1].", citations: [1], supported: true, separator: "\\n" },
        { text: "- the first is \\\\(m_t\\\\) [2]", citations: [2], supported: true, separator: "\\n" },
        { text: "- the second uses `g_t ** 2`", citations: [], supported: false, separator: "\\n\\n" },
        { text: "<img src=x onerror=alert(1)><script>alert(2)</script>Done *now*.", citations: [],
          supported: true, separator: "" },
      ];
      const parts = (s) => {
        const marks = s.citations.map((n) => " [" + n + "]").join("");
        const last = s.text.slice(-1);
        if (".!?".includes(last) && s.text.slice(0, -1).endsWith(marks)) {
          return { head: s.text.slice(0, -1 - marks.length), tail: last };
        }
        return s.text.endsWith(marks) ? { head: s.text.slice(0, s.text.length - marks.length), tail: "" } : null;
      };
      const button = (n) => Object.assign(
        document.createElement("button"), { className: "citation", textContent: "[" + n + "]" });
      const body = document.createElement("div");
      body.className = "answer-body";
      document.querySelector("#conversation").appendChild(body);
      renderMarkdown(body, sentences, parts, button);
      return {
        strong: Array.from(body.querySelectorAll("p strong")).map((e) => e.textContent),
        items: body.querySelectorAll("ul > li").length,
        code: Array.from(body.querySelectorAll("li code")).map((e) => e.textContent),
        em: Array.from(body.querySelectorAll("em")).map((e) => e.textContent),
        citations: Array.from(body.querySelectorAll("button.citation")).map((e) => e.textContent),
        math: Array.from(body.querySelectorAll("li .math .katex")).length,
        sentences: body.querySelectorAll(".sentence").length,
        unsupported: body.querySelectorAll(".sentence.unsupported").length,
        risky: body.querySelectorAll("img, script, [onerror]").length,
        text: body.textContent,
      };
    }""")
    assert result["strong"] == ["two"]
    assert result["items"] == 2 and result["code"] == ["g_t ** 2"]
    assert result["em"] == ["now"]
    assert result["citations"] == ["[1]", "[2]"]
    assert result["math"] == 1
    assert result["sentences"] == 4 and result["unsupported"] == 1
    assert result["risky"] == 0  # the markup is shown as text, never made into elements
    assert "<img src=x onerror=alert(1)><script>alert(2)</script>Done now." in result["text"]
    page.screenshot(path=artifacts / "study-markdown.png")
