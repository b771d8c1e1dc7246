"""A citation written right after a display formula stays beside the formula, not on a line of its own."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

FORMULA = "$$\n\\hat\\beta = (X^\\top X)^{-1} X^\\top y\n$$"
CITATION = {"n": 1, "doc": "regression.md", "breadcrumbs": ["Regression", "Least squares"], "start": 0, "end": 10}


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("The ordinary least squares estimate is\n\n" + FORMULA + " [1]", ""),
        ("The estimate is " + FORMULA + " [1].", "."),
    ],
)
def test_a_citation_after_a_display_formula_sits_at_the_end_of_its_row(
    study_url, open_page, text: str, after: str
) -> None:
    page = open_page(study_url)
    result = page.evaluate(
        """async ([text, citation]) => {
          const [{ renderAnswer }, markdown, math] = await Promise.all([
            import("/static/js/answer.js"), import("/static/js/markdown.js"), import("/static/js/math.js"),
          ]);
          await Promise.all([markdown.markdownReady, math.katexReady]);
          const body = document.createElement("div");
          body.className = "answer-body";
          document.querySelector("main, body").appendChild(body);
          const sentence = { text, supported: true, citations: [1], separator: "" };
          renderAnswer({ body, extras: document.createElement("div"), article: body },
                       { sentences: [sentence], citations: [citation], abstained: false });
          const formula = body.querySelector(".math-display .katex-display").getBoundingClientRect();
          const button = body.querySelector("button.citation");
          const box = button.getBoundingClientRect();
          return {
            markdown: body.classList.contains("markdown"),
            row: button.parentElement.className,
            after: button.nextSibling ? button.nextSibling.textContent : "",
            beside: box.left >= formula.right - 1 && box.top >= formula.top && box.bottom <= formula.bottom,
            text: body.textContent,
          };
        }""",
        [text, CITATION],
    )
    assert result["markdown"], result
    assert result["row"] == "math-block", result
    assert result["after"] == after, result
    assert result["beside"], result
    assert result["text"].startswith(text.split("$$")[0].strip()), result
