"""Notes that keep facts in tables (an Obsidian comparison table, an Org table, an HTML page, a Word handout),
served with the default quoting writer over real HTTP: an answer quotes the row that answers, read as a sentence
with its column headers ("Optimizer: SGD; lr: 1e-2"), never with its pipes, while the citation is the row as
written; a short row is quoted too, and a rule row never."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.ingest.docx_files import docx_bytes
from tests.notes_settings import assert_answer_quotes, assert_citations_are_exact, notes_client

NOTES = {
    "optimizers.md": (
        "# Optimizers\n\n"
        "Each optimizer needs its own learning rate.\n\n"
        "| Optimizer | lr | notes |\n"
        "|-----------|:--:|-------|\n"
        "| Adam | 1e-3 | adaptive moments. Bias corrected. |\n"
        "| SGD | 1e-2 | |\n"
        "| RMSprop | 1e-4 | divides by a running average of [[Gradient\\|squared gradients]] |\n"
    ),
    "regularization.org": (
        "* Regularization\n\n"
        "| Method | Penalty |\n"
        "|---------+----------|\n"
        "| Ridge | squared weights |\n"
        "| Lasso | absolute weights |\n"
    ),
    "kernels.html": (
        "<html><body><h1>Kernels</h1><table>"
        "<tr><th>Kernel</th><th>Formula</th></tr>"
        "<tr><td>Linear</td><td>x dot y</td></tr>"
        "<tr><td>Gaussian</td><td>exp of minus gamma times the squared distance</td></tr>"
        "</table></body></html>"
    ),
    "cooking.md": "# Pasta\n\nSalt the water generously before the pasta goes in.\n",
    # a Word handout: its first row repeated as the header row (Word's "Repeat as header row")
    "conjugates.docx": docx_bytes(
        [
            ("berschrift1", "Conjugate priors"),
            ("header table", [["Likelihood", "Conjugate prior"], ["Poisson", "Gamma"], ["Binomial", "Beta"]]),
        ]
    ),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with notes_client(tmp_path_factory.mktemp("tables"), NOTES) as c:
        yield c


@pytest.mark.parametrize(
    ("question", "doc", "reading", "row"),
    [
        # before: abstained or quoted another line; "| SGD | 1e-2 | |" is 16 characters, under the minimum of 20
        ("What learning rate does SGD use?", "optimizers.md", "Optimizer: SGD; lr: 1e-2", "| SGD | 1e-2 | |"),
        # before: "| Adam | 1e-3 | adaptive moments." (the row cut at the cell's full stop, pipes shown)
        (
            "What learning rate does Adam use?",
            "optimizers.md",
            "Optimizer: Adam; lr: 1e-3; notes: adaptive moments. Bias corrected.",
            "| Adam | 1e-3 | adaptive moments. Bias corrected. |",
        ),
        # the cell's link (its "|" escaped, as Obsidian wants it in a table) reads as its alias, as in a sentence
        (
            "What does RMSprop divide by?",
            "optimizers.md",
            "Optimizer: RMSprop; lr: 1e-4; notes: divides by a running average of squared gradients",
            "| RMSprop | 1e-4 | divides by a running average of [[Gradient\\|squared gradients]] |",
        ),
        (
            "What penalty does lasso use?",
            "regularization.org",
            "Method: Lasso; Penalty: absolute weights",
            "| Lasso | absolute weights |",
        ),
        (
            "What is the formula of the Gaussian kernel?",
            "kernels.html",
            "Kernel: Gaussian; Formula: exp of minus gamma times the squared distance",
            "Gaussian | exp of minus gamma times the squared distance",
        ),
        (
            "Which prior is conjugate to the Poisson likelihood?",
            "conjugates.docx",
            "Likelihood: Poisson; Conjugate prior: Gamma",
            "Poisson | Gamma",
        ),
    ],
)
def test_a_table_row_is_quoted_as_a_sentence(
    client: httpx.Client, question: str, doc: str, reading: str, row: str
) -> None:
    # the citation is the source row, pipes and all; the answer reads it (its marker before a full stop)
    answer = assert_answer_quotes(client, question, row, reading.rstrip(".") + " [1]", whole=True, doc=doc)
    assert "|" not in answer["text"] and "---" not in answer["text"]


# A paragraph's "|" in an HTML or Word note is no table (before: two lines with as many "|" were rows, and
# "P(A|B) = P(B|A) P(A) / P(B)" was answered "P(A; B) = P(B; A) P(A) / P(B)", another formula).
PROSE_PIPES = {
    "bayes.html": (
        "<html><body><h1>Bayes rule</h1>"
        "<p>Bayes rule turns one conditional probability around.</p>"
        "<p>P(A|B) = P(B|A) P(A) / P(B)</p>"
        "<p>P(B|A) P(A) = P(A|B) P(B) since both are P(A and B)</p>"
        "</body></html>"
    ),
    # one Word paragraph of three lines (Shift+Enter): its lines are apart by a newline only
    "conditional.docx": docx_bytes(
        [
            ("berschrift1", "Conditional independence"),
            (None, "Conditional independence:\nP(A|B,C) = P(A|B) whatever value C takes\nP(C|A,B) = P(C|B) likewise"),
        ]
    ),
}


@pytest.fixture(scope="module")
def prose_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with notes_client(tmp_path_factory.mktemp("prose_pipes"), PROSE_PIPES) as c:
        yield c


@pytest.mark.parametrize(
    ("question", "doc", "formula"),
    [
        ("What is Bayes rule?", "bayes.html", "P(A|B) = P(B|A) P(A) / P(B)"),
        (
            "What does conditional independence say?",
            "conditional.docx",
            "P(A|B,C) = P(A|B) whatever value C takes",
        ),
    ],
)
def test_a_formula_with_pipes_in_html_or_word_is_quoted_as_written(
    prose_client: httpx.Client, question: str, doc: str, formula: str
) -> None:
    answer = assert_answer_quotes(prose_client, question, formula, formula, doc=doc)
    assert ";" not in answer["text"], answer["text"]


@pytest.mark.parametrize(
    ("question", "entity", "others"),
    [
        ("What learning rate does Adam use?", "Optimizer: Adam", ["SGD", "RMSprop"]),
        ("What does RMSprop divide by?", "Optimizer: RMSprop", ["SGD", "Adam"]),
    ],
)
def test_a_table_answer_quotes_no_other_entity_row(
    client: httpx.Client, question: str, entity: str, others: list
) -> None:
    """Before: a second row of the same table joined as the answer's second sentence, another optimizer's
    ("... adaptive moments [1] Optimizer: RMSprop; lr: 1e-4; ..."); a row joins a row only when it names the
    question's key terms itself."""
    answer = client.post("/api/ask", json={"question": question}).json()
    assert not answer["abstained"] and entity in answer["text"], answer["text"]
    assert not any(other in answer["text"] for other in others), answer["text"]
    quoted = [s["quote"] for c in answer["citations"] if c["doc"] == "optimizers.md" for s in c["spans"]]
    assert len([q for q in quoted if q.startswith("|")]) == 1, quoted


@pytest.mark.parametrize(
    ("question", "rows"),
    [
        ("Compare Adam and RMSprop learning rates", ["Optimizer: Adam", "Optimizer: RMSprop"]),
        ("How do SGD and Adam differ?", ["Optimizer: SGD", "Optimizer: Adam"]),
    ],
)
def test_a_question_naming_two_rows_gets_both(client: httpx.Client, question: str, rows: list) -> None:
    """A comparison is what a table is for (review2 P3-13). Before: one row alone ("Optimizer: RMSprop; ..."),
    since each row names one of the two optimizers, under the share a row needs to join another; a row whose
    first cell the question names joins. The third optimizer, not asked about, stays out."""
    answer = client.post("/api/ask", json={"question": question}).json()
    assert not answer["abstained"], answer["text"]
    assert all(row in answer["text"] for row in rows), answer["text"]
    (other,) = {"Optimizer: Adam", "Optimizer: SGD", "Optimizer: RMSprop"} - set(rows)
    assert other not in answer["text"], answer["text"]
    assert_citations_are_exact(client, answer)


# a table whose first cells share the word that names their kind ("Hinge loss", "Huber loss")
LOSSES = {
    "losses.md": (
        "# Loss functions\n\n"
        "| Loss | Task | What it does |\n"
        "|---|---|---|\n"
        "| Cross-entropy | classification | compares the predicted class probabilities with the true labels |\n"
        "| Hinge loss | maximum-margin training | penalises examples inside the margin |\n"
        "| Mean squared error | regression | averages the squared residuals |\n"
        "| Huber loss | robust regression | is quadratic for small errors and linear for large ones |\n"
    ),
}


@pytest.fixture(scope="module")
def losses_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with notes_client(tmp_path_factory.mktemp("losses"), LOSSES) as c:
        yield c


@pytest.mark.parametrize(
    "question", ["What does cross-entropy loss compare?", "Which loss should I use for classification?"]
)
def test_a_word_every_row_names_pulls_in_no_other_row(losses_client: httpx.Client, question: str) -> None:
    """Review3 P1-4. Before: "... with the true labels [1] Loss: Hinge loss; Task: maximum-margin training; ..."
    (the hinge loss row joined the cross-entropy row, its first cell holding the question's "loss", which the
    cross-entropy row's does not); "loss" names the kind of every row, and no row joins for it."""
    reading = "Loss: Cross-entropy; Task: classification; What it does: compares the predicted class probabilities"
    answer = assert_answer_quotes(losses_client, question, "| Cross-entropy | classification |", reading)
    assert "Hinge" not in answer["text"] and "Huber" not in answer["text"], answer["text"]


def test_a_question_naming_two_rows_of_one_kind_gets_both(losses_client: httpx.Client) -> None:
    """The word the rows share ("loss") names neither, but each row's own name does: both rows, and no third."""
    answer = losses_client.post("/api/ask", json={"question": "Compare hinge loss and Huber loss"}).json()
    assert not answer["abstained"], answer["text"]
    assert "Loss: Hinge loss" in answer["text"] and "Loss: Huber loss" in answer["text"], answer["text"]
    assert "Cross-entropy" not in answer["text"] and "Mean squared" not in answer["text"], answer["text"]
    assert_citations_are_exact(losses_client, answer)
