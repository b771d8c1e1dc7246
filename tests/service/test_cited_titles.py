"""Who wrote it and when: a title's author-year citation answers that question, and no other."""

from __future__ import annotations

import pytest

from core.terms import key_stems
from models.embedder import Embedder, load_embedder
from retrieval.retriever import Hit
from retrieval.terms import TermRarity
from service.cited_titles import asks_source, cited_titles
from service.extractive import QuoteWeights, best_sentences

TOC = (
    "Table of Contents Mask R-CNN (He et al. 2018) CenterMask (Lee and Park 2020) "
    "MaskFormer (Cheng, Schwing, and Kirillov 2021)"
)
BODY = "\nCenterMask adds a spatial attention-guided mask branch to an anchor-free one-stage detector."
TEXT = TOC + BODY


def passage() -> Hit:
    return Hit(
        node_id="n",
        doc="papers.txt",
        kind="note",
        breadcrumbs=[],
        start=100,
        end=100 + len(TEXT),
        text=TEXT,
        score=1.0,
        context_spans=[(100, 100 + len(TOC))],
    )


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("who wrote centermask, and when?", True),
        ("when did maskformer come out?", True),
        ("who's behind the swin paper?", True),
        ("what year was adam published?", True),
        ("when should I use a mask branch?", False),
        ("what does centermask add?", False),
    ],
)
def test_asks_source(question: str, asks: bool) -> None:
    assert asks_source(question) is asks


def test_only_the_asked_papers_citation_is_a_candidate() -> None:
    spans = cited_titles(passage(), key_stems("who wrote centermask?"))
    assert [TEXT[s:e] for s, e in spans] == ["CenterMask (Lee and Park 2020)"]
    spans = cited_titles(passage(), key_stems("who were maskformer's authors?"))
    assert [TEXT[s:e] for s, e in spans] == ["MaskFormer (Cheng, Schwing, and Kirillov 2021)"]
    # a year in the question names no paper
    assert cited_titles(passage(), key_stems("what did the 2020 notes translate?")) == []


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()


def test_who_wrote_it_is_answered_by_the_titles_citation(embedder: Embedder) -> None:
    rarity = TermRarity.of_passages([TEXT, "Attention weighs tokens.", "Detectors find boxes.", "Masks"])
    weights = QuoteWeights(terms=1.0)
    (best,) = best_sentences(
        "who wrote centermask, and when?", [passage()], embedder, n=1, weights=weights, rarity=rarity
    )
    assert best.text == "CenterMask (Lee and Park 2020)"
    assert TEXT[best.start - 100 : best.end - 100] == best.text  # cited to its exact characters
    # any other question about it is answered by what the notes say of it, never by a title
    (other,) = best_sentences("what does centermask add?", [passage()], embedder, n=1, weights=weights, rarity=rarity)
    assert other.text.startswith("CenterMask adds")
