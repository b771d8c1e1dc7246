"""A question that sets something aside ("besides dropout, what else ...") is answered by what it did not name."""

from __future__ import annotations

import pytest

from models.embedder import Embedder, load_embedder
from retrieval.retriever import Hit
from retrieval.terms import TermRarity
from service.extractive import QuoteWeights, best_sentences
from service.question_parts import SetAside, set_aside


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "apart from dropout, normalisation and penalties, what else fights overfitting?",
            SetAside("what else fights overfitting?", "dropout, normalisation and penalties"),
        ),
        (
            "Besides self-attention, which parts sit in a transformer block?",
            SetAside("which parts sit in a transformer block?", "self-attention"),
        ),
        ("what else fights overfitting besides dropout?", SetAside("what else fights overfitting?", "dropout")),
        ("is there another optimizer in addition to Adam?", SetAside("is there another optimizer?", "Adam")),
        # "apart from" inside "tell X apart from Y" and a bare "except" set nothing aside
        (
            "how does lfs tell a pointer apart from a real file?",
            SetAside("how does lfs tell a pointer apart from a real file?"),
        ),
        (
            "what is finally for if except already deals with the error?",
            SetAside("what is finally for if except already deals with the error?"),
        ),
        ("what is dropout?", SetAside("what is dropout?")),
        (
            "what other methods tell a pointer apart from a real file?",
            SetAside("what other methods tell a pointer apart from a real file?"),
        ),
        (
            "are the other layers frozen except for the last one?",
            SetAside("are the other layers frozen except for the last one?"),
        ),
    ],
)
def test_set_aside_splits_what_is_asked_from_what_is_set_aside(question: str, parts: SetAside) -> None:
    assert set_aside(question) == parts


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()


def test_the_sentence_naming_what_was_set_aside_is_not_the_answer(embedder: Embedder) -> None:
    text = (
        "How to reduce overfitting?\n"
        "- Use dropout between the dense layers.\n"
        "- Use weight decay as a penalty on large weights.\n"
        "- Increase the data size, or stop training early.\n"
    )
    card = Hit(
        node_id="n",
        doc="cards.txt",
        kind="note",
        breadcrumbs=[],
        start=0,
        end=len(text),
        text=text,
        score=1.0,
        context_spans=[(0, text.index("\n"))],
    )
    rarity = TermRarity.of_passages([text, "Attention weighs tokens.", "Convolutions share weights.", "Layers"])
    weights = QuoteWeights(terms=1.0)
    question = "apart from dropout and weight decay, what else fights overfitting?"
    parts = set_aside(question)
    (best,) = best_sentences(parts.asked, [card], embedder, n=1, weights=weights, rarity=rarity, aside=parts.named)
    assert best.text.startswith("Increase the data size")
    # read whole, the question's terms pick a line that names what it set aside
    (whole,) = best_sentences(question, [card], embedder, n=1, weights=weights, rarity=rarity)
    assert whole.text.startswith(("Use dropout", "Use weight decay"))


def test_a_run_of_spaces_is_read_at_once() -> None:
    """The trailing marker's pattern once backtracked over every split of a whitespace run: 88 s for 2,000 spaces."""
    import time

    t0 = time.perf_counter()
    assert set_aside("what else is this" + " " * 1980 + "?").named == ""
    assert set_aside("what else is this" + "\n" * 1980 + "besides that?").named == "that"
    assert time.perf_counter() - t0 < 1.0
