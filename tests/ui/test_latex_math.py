r"""A quote of LaTeX notes on the page: \begin{align} ... \end{align} (and equation, gather, multline) typeset in
display mode, unnumbered, labels and all; the Markdown the writer makes of \emph and \textbf shown as emphasis."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

ALIGN = "\\begin{align}\n  \\alpha &= \\min(1, r) \\\\\n  &= 1 \\text{ when } r > 1. \\label{eq:mh}\n\\end{align}"
RENDER = """async (texts) => {
  const math = await import("/static/js/math.js");
  await math.katexReady;
  return texts.map((text) => {
    const box = math.appendWithMath(document.createElement("div"), text);
    document.body.appendChild(box);
    const formulas = [...box.querySelectorAll(".math")];
    const out = {
      parts: math.splitMath(text).map((p) => (p.tex === undefined ? "text" : p.display ? "display" : "inline")),
      typeset: formulas.map((f) => Boolean(f.querySelector(".katex-display"))),
      errors: box.querySelectorAll(".math-error").length,
      raw: formulas.map((f) => f.dataset.tex),
      numbered: box.querySelectorAll(".katex-tag").length,
    };
    box.remove();
    return out;
  });
}"""


def test_display_environments_are_typeset_whole(study_url, open_page) -> None:
    page = open_page(study_url)
    texts = [
        "The chain accepts with probability " + ALIGN + " after a proposal.",
        "\\begin{equation*}\n  \\theta \\mid k \\sim \\mathrm{Beta}(a + k, b + n - k).\n\\end{equation*}",
        "\\begin{gather}\n a = b \\\\ c = d\n\\end{gather}",
        "\\begin{multline*}\n a + b + c \\\\ + d = e\n\\end{multline*}",  # KaTeX has no multline: typeset as gather*
        "Unclosed \\begin{align} a &= b and $x$ stays inline.",
        "\\begin{equation}\n" * 10_000,  # bounded: each \begin looks for its \end in the next 5,000 characters only
    ]
    started = page.evaluate("performance.now()")
    results = page.evaluate(RENDER, texts)
    assert page.evaluate("performance.now()") - started < 5_000
    align, equation, gather, multline, unclosed, many = results
    assert align["parts"] == ["text", "display", "text"] and align["typeset"] == [True], align
    assert align["raw"] == [ALIGN]  # copied, a formula gives back the TeX as written
    assert align["errors"] == 0 and align["numbered"] == 0, align  # \label dropped; no "(1)" the notes lack
    for result in (equation, gather, multline):
        assert result["parts"] == ["display"] and result["typeset"] == [True] and result["errors"] == 0, result
        assert result["numbered"] == 0, result
    assert unclosed["parts"] == ["text", "inline", "text"], unclosed  # no \end: the text stays text
    assert many["parts"] == ["text"], many["parts"][:3]


def test_an_answer_quoting_latex_shows_emphasis_and_the_formula(study_url, open_page) -> None:
    """The writer's answer to a LaTeX note: \\emph and \\textbf arrive as Markdown (service.extractive.quoted)."""
    page = open_page(study_url)
    text = "Metropolis accepts a *proposal* with **probability** " + ALIGN.replace("\n", " ") + " [1]"
    result = page.evaluate(
        """async (text) => {
          const [{ renderAnswer }, markdown, math] = await Promise.all([
            import("/static/js/answer.js"), import("/static/js/markdown.js"), import("/static/js/math.js"),
          ]);
          await Promise.all([markdown.markdownReady, math.katexReady]);
          const body = document.createElement("div");
          document.body.appendChild(body);
          const citation = { n: 1, doc: "mcmc.tex", breadcrumbs: ["MCMC"], start: 0, end: 10 };
          renderAnswer({ body, extras: document.createElement("div"), article: body },
                       { sentences: [{ text, supported: true, citations: [1], separator: "" }],
                         citations: [citation], abstained: false });
          return {
            em: [...body.querySelectorAll("em")].map((e) => e.textContent),
            strong: [...body.querySelectorAll("strong")].map((e) => e.textContent),
            typeset: body.querySelectorAll(".math-display .katex-display").length,
            errors: body.querySelectorAll(".math-error").length,
            row: body.querySelector("button.citation").parentElement.className,
          };
        }""",
        text,
    )
    assert result["em"] == ["proposal"] and result["strong"] == ["probability"], result
    assert result["typeset"] == 1 and result["errors"] == 0, result
    assert result["row"] == "math-block", result  # the citation sits beside the formula
