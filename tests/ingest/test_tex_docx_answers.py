"""A graduate student's LaTeX lecture notes and a Word handout, served by the real pipeline (the real
embedder, index and quoting writer, over HTTP): answers cite the right section of the right file, exactly,
and quote prose, never a comment, a preamble or an \\item marker. A .docx uploads like any note."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ingest.docx import OLE_MAGIC
from tests.ingest.docx_files import docx_bytes
from tests.notes_settings import assert_answer_quotes, assert_citations_are_exact, notes_client

LECTURE = r"""\documentclass{article}
\usepackage{amsmath}
\title{Bayesian Inference}
\begin{document}
\maketitle

\section{Hierarchical models}
\subsection{Partial pooling}
% Gelman calls this borrowing strength
In a hierarchical model the group parameters share a prior whose hyperparameters are estimated from the data.
Partial pooling shrinks the estimates of small groups towards the overall mean.

\subsection{Convergence diagnostics}
\begin{itemize}
  \item The potential scale reduction factor compares between-chain and within-chain variance.
  \item The effective sample size counts how many independent draws a correlated chain is worth.
\end{itemize}
\end{document}
"""
MODELS = r"""\documentclass{article}
\begin{document}
\section{Pooling}
A hierarchical model sits between two extremes:
\begin{description}
  \item[No pooling] Each group is estimated separately; small groups get noisy estimates.
  \item[Complete pooling] All groups share one parameter; real differences between groups are ignored.
\end{description}

\section{Metropolis-Hastings}
The Metropolis-Hastings algorithm proposes a move and accepts it with probability
\begin{align}
  \alpha &= \min\left(1, \frac{p(\theta') q(\theta \mid \theta')}{p(\theta) q(\theta' \mid \theta)}\right) \\
         &= \min(1, r).
  \label{eq:mh}
\end{align}

\section{Approximations}
Expectation propagation refines one site approximation at a time by matching the moments of
$\tilde f_i(\theta)$ against the tilted distribution.
Laplace's method \emph{approximates} the posterior by a \textbf{Gaussian} centred at its mode.
\end{document}
"""
HANDOUT = [
    ("Titel", "Variational inference"),
    ("berschrift1", "Mean-field approximation"),
    ("", "The mean-field family assumes that the posterior factorizes over groups of parameters."),
    ("berschrift1", "Posterior predictive checks"),
    ("", "A posterior predictive check compares the observed data with replicated data sets:"),
    ("bullet", "draw parameters from the posterior"),
    ("bullet", "simulate replicated data from the likelihood"),
    ("berschrift1", "The evidence lower bound"),
    ("", "Maximizing the evidence lower bound is the same as minimizing the KL divergence to the posterior."),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    notes = {"lecture.tex": LECTURE, "models.tex": MODELS, "handout.docx": docx_bytes(HANDOUT)}
    with notes_client(tmp_path_factory.mktemp("tex-docx"), notes) as client:
        yield client


def quotes(answer: dict) -> list[str]:
    return [span["quote"] for cite in answer["citations"] for span in cite["spans"]]


@pytest.mark.parametrize(
    ("question", "doc", "breadcrumbs", "quoted"),
    [
        (
            "What does partial pooling do to the estimates of small groups?",
            "lecture.tex",
            ["Bayesian Inference", "Hierarchical models", "Partial pooling"],
            "Partial pooling shrinks the estimates of small groups towards the overall mean.",
        ),
        (
            "What does the potential scale reduction factor compare?",
            "lecture.tex",
            ["Bayesian Inference", "Hierarchical models", "Convergence diagnostics"],
            "The potential scale reduction factor compares between-chain and within-chain variance.",
        ),
        (
            "What does the mean-field family assume about the posterior?",
            "handout.docx",
            ["Variational inference", "Mean-field approximation"],
            "The mean-field family assumes that the posterior factorizes over groups of parameters.",
        ),
        (  # a Word list stays below its lead-in paragraph, and the writer quotes them together
            "How does a posterior predictive check work?",
            "handout.docx",
            ["Variational inference", "Posterior predictive checks"],
            "A posterior predictive check compares the observed data with replicated data sets:\n"
            "- draw parameters from the posterior\n- simulate replicated data from the likelihood",
        ),
    ],
)
def test_an_answer_cites_the_section_that_says_it(
    client: httpx.Client, question: str, doc: str, breadcrumbs: list[str], quoted: str
) -> None:
    answer = client.post("/api/ask", json={"question": question}).json()
    assert_citations_are_exact(client, answer)
    first = answer["citations"][0]
    assert (first["doc"], first["breadcrumbs"]) == (doc, breadcrumbs), answer
    assert quoted in quotes(answer), quotes(answer)
    assert not any(mark in q for q in quotes(answer) for mark in ("%", "\\item", "\\begin", "\\usepackage"))


def test_a_docx_upload_is_indexed_and_answered(client: httpx.Client) -> None:
    assert ".tex" in client.get("/api/limits").json()["upload_types"]
    handout = [
        ("berschrift1", "Gibbs sampling"),
        ("", "Gibbs sampling draws each parameter from its full conditional."),
    ]
    response = client.post("/api/documents", files={"file": ("gibbs.docx", docx_bytes(handout), "application/zip")})
    assert response.status_code == 201, response.text
    answer = client.post("/api/ask", json={"question": "What does Gibbs sampling draw each parameter from?"}).json()
    assert_citations_are_exact(client, answer)
    assert answer["citations"][0]["doc"] == "uploads/gibbs.docx"
    assert "Gibbs sampling draws each parameter from its full conditional." in quotes(answer)
    locked = client.post("/api/documents", files={"file": ("locked.docx", OLE_MAGIC + bytes(600))})
    assert locked.status_code in (400, 415, 422) and "encrypted" in locked.text, locked.text


ALIGN = MODELS[MODELS.index("\\begin{align}") : MODELS.index("\\end{align}") + len("\\end{align}")]


@pytest.mark.parametrize(
    ("question", "quote", "said"),
    [
        (  # a description item's label is its term: quoted with it, as "Label: text"
            "What is no pooling?",
            "\\item[No pooling] Each group is estimated separately; small groups get noisy estimates.",
            "No pooling: Each group is estimated separately; small groups get noisy estimates",  # then " [1]."
        ),
        (  # a multi-line align, quoted whole with the sentence that leads into it (before: never quoted)
            "With what probability does the Metropolis-Hastings algorithm accept a move?",
            "The Metropolis-Hastings algorithm proposes a move and accepts it with probability\n" + ALIGN,
            "accepts it with probability \\begin{align} \\alpha &= \\min\\left(1,",
        ),
        (  # a line wrapped before inline math stays in its sentence (before: quoted without its last line)
            "How does expectation propagation refine its site approximations?",
            "Expectation propagation refines one site approximation at a time by matching the moments of\n"
            "$\\tilde f_i(\\theta)$ against the tilted distribution.",
            "by matching the moments of $\\tilde f_i(\\theta)$ against the tilted distribution",
        ),
        (  # \emph and \textbf read as Markdown in the answer; the citation is the source as written
            "How does Laplace's method approximate the posterior?",
            "Laplace's method \\emph{approximates} the posterior by a \\textbf{Gaussian} centred at its mode.",
            "Laplace's method *approximates* the posterior by a **Gaussian** centred at its mode",
        ),
    ],
)
def test_latex_structures_are_quoted_whole_and_read_plainly(
    client: httpx.Client, question: str, quote: str, said: str
) -> None:
    answer = assert_answer_quotes(client, question, quote, said, whole=True, doc="models.tex")
    assert "\\label" not in answer["text"] and "\\item" not in answer["text"], answer["text"]
