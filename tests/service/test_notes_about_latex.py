r"""A Markdown or text note that talks about LaTeX is quoted as written: LaTeX's quote rules (a formula cut by
the passage, `\item` lists, `\textbf` shown as Markdown) are for passages of .tex documents only."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from retrieval.retriever import Hit
from service.extractive import answer_spans, led_list_end, quoted
from tests.notes_settings import assert_citations_are_exact, served_notes

OPTIM = (
    "# Optimization notes\n\nA numbered formula in LaTeX opens with `\\begin{align}` in the source file.\n"
    "Gradient descent moves the weights against the gradient of the loss function.\n"
    "Momentum keeps a running average of past gradients to smooth the updates.\n"
)
BOLD = "In LaTeX you write \\textbf{bold} to get bold text, and \\emph{word} for emphasis."
NOTES = {
    "optim.md": OPTIM,
    "rivers.md": "# Rivers\n\nA meander is a bend in a river channel that migrates as the outer bank erodes.\n",
    "typesetting.md": f"# Typesetting\n\n{BOLD}\n",
}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_notes(tmp_path_factory.mktemp("about-latex"), NOTES) as served:
        yield served


def test_a_markdown_note_that_mentions_begin_align_is_still_quoted(url: str) -> None:
    """Before, the unpaired `\\begin{align}` marked every later sentence as a line of a formula the passage cut:
    none was quoted, and the answer was the rivers note's meander."""
    with httpx.Client(base_url=url, timeout=60) as c:
        answer = c.post("/api/ask", json={"question": "How does gradient descent move the weights?"}).json()
        assert_citations_are_exact(c, answer)
    assert not answer["abstained"]
    assert "Gradient descent moves the weights against the gradient of the loss function" in answer["text"]
    assert "meander" not in answer["text"]
    assert answer["citations"][0]["doc"] == "optim.md"


def test_latex_commands_in_a_markdown_note_are_quoted_verbatim(url: str) -> None:
    """Before: "In LaTeX you write **bold** to get bold text, and *word* for emphasis." (the command taught lost)."""
    with httpx.Client(base_url=url, timeout=60) as c:
        answer = c.post("/api/ask", json={"question": "How do you write bold text in LaTeX?"}).json()
    assert BOLD[:-1] + " [1]." in answer["text"], answer["text"]


@pytest.mark.parametrize("doc", ["optim.md", "optim.txt"])
def test_latex_rules_skip_passages_of_other_documents(doc: str) -> None:
    text = OPTIM.split("\n\n", 1)[1] + "Steps:\n\\item first step of the loop\n\\item second step\n"
    hit = Hit("n", doc, "note", ["Optimization notes"], 0, len(text), text, 1.0)
    spans = [text[s:e] for s, e in answer_spans(hit)]
    assert spans[:3] == [
        "A numbered formula in LaTeX opens with `\\begin{align}` in the source file.",
        "Gradient descent moves the weights against the gradient of the loss function.",
        "Momentum keeps a running average of past gradients to smooth the updates.",
    ]
    lead = text.index("Steps:") + len("Steps:")
    assert led_list_end(hit, lead) == lead  # `\item` opens a list in LaTeX only
    assert quoted(BOLD) == BOLD and quoted(BOLD, latex=True) == (
        "In LaTeX you write **bold** to get bold text, and *word* for emphasis."
    )
    tex = Hit("n", "optim.tex", "note", ["Optimization notes"], 0, len(text), text, 1.0)
    assert [text[s:e] for s, e in answer_spans(tex)] == []  # in a .tex passage the edge still marks a cut formula
