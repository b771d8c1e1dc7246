"""A student's notes served with the default quoting writer: lecture PDFs with a running header and page
numbers, Markdown with display formulas and Q:/A: flashcards; asked, quizzed and cited over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from retrieval.retriever import Hit
from service.extractive import answer_spans, whole_formulas
from service.runtime import Runtime
from service.server import running_server
from service.study.cards import build_cards
from service.study.grading import grade
from tests.ingest.test_pdf_pages import HEADER, PAGES, pdf_with_lines
from tests.notes_settings import assert_citations_are_exact, notes_settings

NOTES = {
    "regression.md": (
        "# Regression\n\n"
        "## Least squares\n\n"
        "The ordinary least squares estimate is\n\n"
        "$$\n\\hat\\beta = (X^\\top X)^{-1} X^\\top y\n$$\n\n"
        "and it is unbiased when the errors have mean zero.\n\n"
        "## Diagnostics\n\n"
        "![residual plot](images/residuals.png)\n\n"
        "Residuals should show no pattern against the fitted values.\n\n"
        "## Flashcards\n\n"
        "Q: What does ridge regression add to the loss?\n"
        "A: An L2 penalty on the coefficients, which shrinks them toward zero.\n\n"
        "Q: What does the lasso do to some coefficients?\n"
        "A: It sets them exactly to zero, which selects features.\n"
    ),
}


@pytest.fixture(scope="module")
def student_runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    settings = notes_settings(tmp_path_factory.mktemp("student"), NOTES)
    (settings.notes_dir / "lecture.pdf").write_bytes(pdf_with_lines(PAGES))
    return Runtime.build(settings)


@pytest.fixture(scope="module")
def student_url(student_runtime: Runtime) -> Iterator[str]:
    with running_server(student_runtime.settings, student_runtime) as url:
        yield url


def test_a_pdf_page_title_and_running_header_are_never_the_answer(student_url: str) -> None:
    with httpx.Client(base_url=student_url, timeout=60) as c:
        answer = c.post("/api/ask", json={"question": "What does the central limit theorem say?"}).json()
        assert_citations_are_exact(c, answer)
        outline = c.get("/api/guide/lecture.pdf").json()["outline"]
    assert "converges in distribution" in answer["text"], answer["text"]
    quoted = [span["quote"] for cite in answer["citations"] for span in cite["spans"]]
    assert not any(HEADER in q or "Central limit theorem" in q or "Page 2" in q for q in quoted), quoted
    assert answer["citations"][0]["breadcrumbs"] == ["lecture", "Central limit theorem"]
    assert [entry["title"] for entry in outline] == ["Expectation and variance", "Central limit theorem", "Page 3"]


def test_a_sentence_leading_into_a_display_formula_is_quoted_with_it(student_url: str) -> None:
    with httpx.Client(base_url=student_url, timeout=60) as c:
        answer = c.post("/api/ask", json={"question": "What is the ordinary least squares estimate?"}).json()
        assert_citations_are_exact(c, answer)
    quoted = [span["quote"] for cite in answer["citations"] for span in cite["spans"]]
    formula = "$$\n\\hat\\beta = (X^\\top X)^{-1} X^\\top y\n$$"
    assert f"The ordinary least squares estimate is\n\n{formula}" in quoted, quoted
    assert all(q.count("$$") % 2 == 0 for q in quoted), quoted  # no formula cut from its delimiters


def test_markdown_flashcards_are_quiz_cards_and_their_questions_are_not_quoted(student_url: str) -> None:
    with httpx.Client(base_url=student_url, timeout=60) as c:
        decks = {d["doc"]: d["cards"] for d in c.get("/api/quiz/decks").json()}
        suggested = c.get("/api/guide/regression.md").json()["questions"]
        answer = c.post("/api/ask", json={"question": "What does ridge regression add to the loss?"}).json()
    flashcards = [s["question"] for s in suggested if s["kind"] == "flashcard"]
    assert flashcards == [
        "What does ridge regression add to the loss?",
        "What does the lasso do to some coefficients?",
    ]
    assert decks["regression.md"] >= 2
    assert "L2 penalty" in answer["text"] and "Q:" not in answer["text"] and "A:" not in answer["text"], answer["text"]


def test_a_dollar_pair_in_code_is_no_formula() -> None:
    """`echo $$` in a code block must not pair with the "$$" of a formula below it."""
    text = "Print the PID:\n\n```bash\necho $$\n```\n\nThe process id is shown as\n\n$$\np = 1\n$$\n"
    code = (text.index("```"), text.index("```\n\n") + 3)
    lead = (text.index("The process"), text.index(" as\n") + 3)
    spans = whole_formulas(text, [lead], [code])
    assert [text[s:e] for s, e in spans] == ["The process id is shown as\n\n$$\np = 1\n$$"]


def test_a_stray_dollar_pair_does_not_hide_the_formula_after_it() -> None:
    text = "Costs in $$ are high for " + "many reasons, " * 50 + "so\n\n$$a = b$$\n"
    lead = (text.index("many"), text.index("so\n") + 2)
    assert [text[s:e] for s, e in whole_formulas(text, [lead])][0].endswith("so\n\n$$a = b$$")


def test_an_image_embed_alone_is_never_a_quote() -> None:
    text = (
        "The residuals should show no pattern against the fitted values.\n\n"
        '![residual plot](images/residuals.png "Residuals vs fitted")\n\n![[qq plot of the residuals.png]]\n'
    )
    hit = Hit("n", "ols.md", "note", ["ols"], 0, len(text), text, 1.0)
    assert [text[s:e] for s, e in answer_spans(hit)] == [text.splitlines()[0]]


def test_quiz_answers_run_over_wrapped_lines_and_past_images(student_runtime: Runtime) -> None:
    """A PDF's lines wrap its sentences: a card's answer is the whole sentence, not its first line; a section
    opening with an image is answered by its first sentence, not the picture."""
    reader = student_runtime.served.reader
    pdf = {c.question: c.answer for c in build_cards(reader, "lecture.pdf")}
    md = {c.question: c.answer for c in build_cards(reader, "regression.md")}
    assert pdf["What is Central limit theorem?"].endswith("converges in distribution to a normal distribution."), pdf
    assert md["What is Diagnostics?"] == "Residuals should show no pattern against the fitted values.", md
    assert md["What does the lasso do to some coefficients?"] == "It sets them exactly to zero, which selects features."


@pytest.mark.parametrize(
    "name",
    ["Lecture 8 – Regression (final).pdf", "Cours d'algèbre, partie 2 [v2].md", "Cours d’alge\u0300bre.md"],  # NFD
)
def test_a_real_file_name_uploads_is_read_and_deletes(student_url: str, name: str) -> None:
    data = (
        pdf_with_lines(PAGES) if name.endswith(".pdf") else "# Algèbre\n\nUn groupe est un ensemble muni d'une loi.\n"
    )
    with httpx.Client(base_url=student_url, timeout=60) as c:
        uploaded = c.post("/api/documents", files={"file": (name, data, "application/octet-stream")})
        assert uploaded.status_code == 201, uploaded.text
        doc = uploaded.json()["document"]["doc"]
        path = "/".join(quote(part, safe="") for part in doc.split("/"))  # as the page's api.js sends it
        assert c.get(f"/api/sources/{path}").status_code == 200
        assert c.delete(f"/api/documents/{path}").status_code == 200
        assert doc not in {d["doc"] for d in c.get("/api/documents").json()["documents"]}


def test_a_name_with_a_url_or_path_character_is_refused_with_what_to_use(student_url: str) -> None:
    with httpx.Client(base_url=student_url, timeout=60) as c:
        refused = c.post("/api/documents", files={"file": ("week 3 #draft.md", b"# Notes\n\nText.\n", "text/markdown")})
    assert refused.status_code == 400
    assert (
        refused.json()["detail"]
        == "'week 3 #draft.md': use letters, digits, spaces and - _ . , ' ’ ( ) [ ] & + ! @ = ~ – —"
    )


def test_quiz_feedback_names_missing_words_as_written_not_stems_or_tex(student_runtime: Runtime) -> None:
    reference = "The target is modelled as $y = X\\beta + \\varepsilon$ under the null hypothesis."
    graded = grade("the target", reference, student_runtime.embedder)
    assert graded.found == ["target"]
    assert graded.missing == ["modelled", "under", "null", "hypothesis"], graded.missing


def test_a_blockquote_marker_is_not_quoted() -> None:
    text = "> **Note:** logistic regression is a classifier despite its name.\n\n>>> print('a prompt stays out')\n"
    hit = Hit("n", "logit.md", "note", ["logit"], 0, len(text), text, 1.0)
    assert [text[s:e] for s, e in answer_spans(hit)] == [
        "**Note:** logistic regression is a classifier despite its name."
    ]
    comparison = "> 0.5 means the class is positive, below it negative.\n"
    hit = Hit("n", "logit.md", "note", ["logit"], 0, len(comparison), comparison, 1.0)
    assert [comparison[s:e] for s, e in answer_spans(hit)] == [comparison.strip()]  # a comparison, no marker
