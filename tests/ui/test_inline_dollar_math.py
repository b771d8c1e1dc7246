"""Inline $...$ TeX, the delimiter most notes use (Obsidian, Jupyter, pandoc), is typeset like \\( \\); dollar
amounts and shell variables stay text."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

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
