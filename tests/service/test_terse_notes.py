"""Terse notes (a title over short bullets, no sentences) served with the default quoting writer over real
HTTP: each question is answered with the list under the title it asks about, not with one stray bullet, in
every format a student writes lists in (Markdown with Obsidian marks, LaTeX, Org "+" bullets, HTML exports)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.notes_settings import assert_citations_are_exact, served_notes

NOTES = {
    "optim.md": (
        "# Optimizers\n\n"
        "## Adam optimizer\n- adaptive moments\n- bias correction\n- default lr 1e-3\n- beta1 0.9, beta2 0.999\n\n"
        "## SGD with momentum\n- velocity term\n- momentum 0.9 typical\n- dampens oscillation\n\n"
        "## Learning rate schedules\n- step decay\n- cosine annealing\n- warmup first few epochs\n"
    ),
    "cnn.md": (
        "# CNN basics\n\n"
        "Convolution layers slide a small kernel over the image and compute dot products.\n\n"
        "## Pooling\n- max pooling\n- reduces spatial size\n- no learned params\n\n"
        "## Padding\n- same vs valid\n- keeps border info\n"
    ),
    "dropout.md": "## Dropout\n- zeroes random units ^d1\n- rate 0.5 typical #regularization\n- off at test time ^d2\n",
    "decay.tex": (
        "\\section{Weight decay}\n\\begin{itemize}\n  \\item an L2 penalty on parameters\n  \\item decoupled in AdamW\n"
        "  \\item default 1e-4\n\\end{itemize}\n"
    ),
    "batchnorm.org": "* Batch normalization\n+ normalizes layer inputs\n+ learned scale and shift\n",
    "clipping.html": (
        "<html><body><h1>Training tricks</h1><h2>Gradient clipping</h2>"
        "<ul><li>caps the gradient norm</li><li>stops exploding gradients</li></ul></body></html>"
    ),
    "git.md": (
        "# Git\n\n## Everyday commands\n- staging\n  - git add puts a file's changes into the index\n"
        "  - git reset takes them out of the index again\n- committing\n  - git commit records the staged snapshot\n"
    ),
}


@pytest.fixture(scope="module")
def terse_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_notes(tmp_path_factory.mktemp("terse"), NOTES) as url:
        yield url


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # before: "beta1 0.9, beta2 0.999", the only bullet of 20 characters or more
        ("What is the Adam optimizer?", "Adam optimizer: adaptive moments; bias correction; default lr 1e-3"),
        # before: "warmup first few epochs"
        ("which learning rate schedules are there?", "Learning rate schedules: step decay; cosine annealing"),
        # before: abstained, no bullet was long enough to quote
        ("what padding options exist", "Padding: same vs valid; keeps border info"),
    ],
)
def test_a_terse_section_is_answered_with_its_list(terse_url: str, question: str, answer: str) -> None:
    with httpx.Client(base_url=terse_url, timeout=60) as c:
        got = c.post("/api/ask", json={"question": question}).json()
        assert_citations_are_exact(c, got)
    assert got["text"].startswith(answer), got["text"]
    first = got["citations"][0]
    assert first["doc"] in NOTES and first["quote"].lstrip("# ").startswith(answer.split(":")[0])


@pytest.mark.parametrize(
    ("question", "doc", "answer", "title_line"),
    [
        # before: abstained; the items' block ids and tag (context) refused the list, no item reached 20 characters
        (
            "What does dropout do?",
            "dropout.md",
            "Dropout: zeroes random units; rate 0.5 typical; off at test time",
            "## Dropout",
        ),
        # before: "an L2 penalty on parameters", the one \\item long enough to be a sentence
        (
            "What is weight decay?",
            "decay.tex",
            "Weight decay: an L2 penalty on parameters; decoupled in AdamW; default 1e-4",
            "\\section{Weight decay}",
        ),
        # before: abstained ("+" was no bullet)
        (
            "What is batch normalization?",
            "batchnorm.org",
            "Batch normalization: normalizes layer inputs; learned scale and shift",
            "* Batch normalization",
        ),
        # before: abstained (an HTML list lost its markers, so its lines were no list)
        (
            "What is gradient clipping?",
            "clipping.html",
            "Gradient clipping: caps the gradient norm; stops exploding gradients",
            "Gradient clipping",
        ),
    ],
)
def test_a_terse_list_is_answered_in_every_format(
    terse_url: str, question: str, doc: str, answer: str, title_line: str
) -> None:
    with httpx.Client(base_url=terse_url, timeout=60) as c:
        got = c.post("/api/ask", json={"question": question}).json()
        assert_citations_are_exact(c, got)
    assert got["text"].startswith(answer + " [1]"), got["text"]
    first = got["citations"][0]
    assert first["doc"] == doc and first["quote"].startswith(title_line + "\n"), first  # the title, then its items


def test_a_nested_item_reads_under_its_parent_item(terse_url: str) -> None:
    """Before: "git reset takes them out of the index again", which does not say what it is part of (the stub
    "staging" above it is never quoted on its own). The citation's spans are the parent item and the quoted one:
    "git add ...", the sibling between them, is not said (before: one span ran from "staging" over it)."""
    with httpx.Client(base_url=terse_url, timeout=60) as c:
        got = c.post("/api/ask", json={"question": "What does git reset do?"}).json()
        assert_citations_are_exact(c, got)
    assert got["text"].startswith("staging: git reset takes them out of the index again [1]"), got["text"]
    first = got["citations"][0]
    assert first["doc"] == "git.md", first
    assert [s["quote"] for s in first["spans"]][:2] == ["staging", "git reset takes them out of the index again"]
