"""A title answers two questions: who wrote it and when (its citation), what a note covers (its contents)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.terms import key_stems
from models.embedder import Embedder, load_embedder
from retrieval.retriever import Hit
from retrieval.terms import TermRarity
from service.extractive import QuoteWeights, best_sentences
from service.title_answers import asks_contents, asks_source, contents_end, title_answers

TOC = (
    "Table of Contents Mask R-CNN (He et al. 2018) CenterMask (Lee and Park 2020) "
    "MaskFormer (Cheng, Schwing, and Kirillov 2021)"
)
BODY = "\nCenterMask adds a spatial attention-guided mask branch to an anchor-free one-stage detector."
TEXT = TOC + BODY
VIT = "Table of Contents Vision Transformer (ViT) (Dosovitskiy et al. 2021) Swin Transformer (Liu et al. 2021)"


def note_hit(text: str, title_chars: int, start: int = 0) -> Hit:
    """A note passage at `start` of its document whose first `title_chars` characters are its title."""
    return Hit(
        node_id="n",
        doc="papers.txt",
        kind="note",
        breadcrumbs=[],
        start=start,
        end=start + len(text),
        text=text,
        score=1.0,
        context_spans=[(start, start + title_chars)],
    )


def passage() -> Hit:
    return note_hit(TEXT, len(TOC), start=100)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("who wrote centermask, and when?", True),
        ("when did maskformer come out?", True),
        ("who's behind the swin paper?", True),
        ("what year was adam published?", True),
        ("when should I use a mask branch?", False),
        ("what branch was introduced in mask r-cnn?", False),  # the branch is asked, not who made it
        ("who uses the mask branch in mask r-cnn?", False),
        ("who were maskformer's authors?", True),
        ("what does centermask add?", False),
        ("mask rcnn paper: authors and year?", True),
        ("which paper introduced the vision transformer?", True),
        ("which paper figure shows the loss curve?", False),
        ("in which paper was vit introduced?", True),
        ("which work presentation style do the notes use?", False),
        ("who is credited for the first vision transformer, and what year?", True),
        ("who gets the credit card discount?", False),  # no "who ... credited" frame: "credit" is the topic
    ],
)
def test_asks_source(question: str, asks: bool) -> None:
    assert asks_source(question) is asks


def test_only_the_asked_papers_citation_is_a_candidate() -> None:
    q = "who wrote centermask?"
    spans = title_answers(q, passage(), key_stems(q))
    assert [TEXT[s:e] for s, e in spans] == ["CenterMask (Lee and Park 2020)"]
    q = "who were maskformer's authors?"
    spans = title_answers(q, passage(), key_stems(q))
    assert [TEXT[s:e] for s, e in spans] == ["MaskFormer (Cheng, Schwing, and Kirillov 2021)"]
    # a year in the question names no paper
    # the name that holds the most of the question: the vision transformer is not Swin, and its acronym is no bar
    vit = note_hit(VIT, len(VIT))
    q = "who wrote the vision transformer paper?"
    assert [VIT[s:e] for s, e in title_answers(q, vit, key_stems(q))] == [
        "Vision Transformer (ViT) (Dosovitskiy et al. 2021)"
    ]
    q = "who translated the 2020 notes?"
    assert title_answers(q, passage(), key_stems(q)) == []


def test_a_citation_in_running_text_answers_when_no_title_cites_it() -> None:
    """Notes cite papers inside sentences too: the citation's name is its capitalised words, not the sentence's."""
    text = "Patches in numpy. They are the input of a Vision Transformer (Dosovitskiy et al. 2021)."
    hit = note_hit(text, len("Patches in numpy."))
    q = "which paper introduced the vision transformer?"
    assert [text[s:e] for s, e in title_answers(q, hit, key_stems(q))] == [
        "Vision Transformer (Dosovitskiy et al. 2021)"
    ]
    q = "who wrote the swin paper?"
    assert title_answers(q, hit, key_stems(q)) == []  # it cites no Swin
    # a title's citation wins a tie; the text's wins when it names more of what is asked
    q = "who wrote centermask?"
    cited = TEXT + " It beats Mask R-CNN (He et al. 2018) and CenterMask (Lee et al. 2019)."
    spans = title_answers(q, note_hit(cited, len(TOC)), key_stems(q))
    assert [cited[s:e] for s, e in spans] == ["CenterMask (Lee and Park 2020)"]
    swin = "Swin Transformer (Liu et al. 2021)"
    text = swin + " Then Data-efficient Image Transformers (DeiT) (Touvron et al. 2021) came."
    q = "who wrote data-efficient image transformers?"
    assert [text[s:e] for s, e in title_answers(q, note_hit(text, len(swin)), key_stems(q))] == [
        "Data-efficient Image Transformers (DeiT) (Touvron et al. 2021)"
    ]


@pytest.mark.parametrize(
    ("question", "text", "quoted"),
    [
        # the words that ask for a source name nothing: "first" is no match for "First, Batch Normalization"
        ("which paper first proposed dropout?", "First, Batch Normalization (Ioffe and Szegedy 2015) helps.", []),
        # a sentence's citation must name all that is asked: "graph" is not in the name
        ("who wrote the paper on graph neural networks?", "Learning with Neural Networks (Sutskever et al. 2014).", []),
        # a sentence opener or a contents word before the name is no word of it
        ("who wrote mask r-cnn?", "Then Mask R-CNN (He et al. 2018) came.", ["Mask R-CNN (He et al. 2018)"]),
        # the name starts at its first word asked: "The" opens the sentence
        (
            "who wrote the segment anything model?",
            "The Segment Anything Model (SAM) (Kirillov et al. 2023).",
            ["Segment Anything Model (SAM) (Kirillov et al. 2023)"],
        ),
    ],
)
def test_citations_in_text_name_only_what_is_asked(question: str, text: str, quoted: list[str]) -> None:
    hit = note_hit("Notes. " + text, len("Notes."))
    assert [hit.text[s:e] for s, e in title_answers(question, hit, key_stems(question))] == quoted


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


CONTENTS_LINE = "Table of Contents Introduction Forward Mode AD Reverse Mode AD Implementation"
NOTE = CONTENTS_LINE + "\nAutomatic differentiation computes derivatives of programs with the chain rule."


def contents_passage() -> Hit:
    return note_hit(NOTE, len(CONTENTS_LINE))


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("which kinds of autodiff does the write-up go through?", True),
        ("what topics are in the optimisation notes?", True),
        ("is there a part on padding in the cnn post?", True),
        ("what is automatic differentiation?", False),
        ("which parts of a transformer block are there?", False),  # no note named
    ],
)
def test_asks_contents(question: str, asks: bool) -> None:
    assert asks_contents(question) is asks


def test_what_a_note_covers_is_answered_by_its_table_of_contents(embedder: Embedder) -> None:
    question = "which kinds of autodiff does the write-up go through?"
    spans = title_answers(question, contents_passage(), key_stems(question))
    assert [NOTE[s:e] for s, e in spans] == ["Introduction Forward Mode AD Reverse Mode AD Implementation"]
    rarity = TermRarity.of_passages([NOTE, "Attention weighs tokens.", "Detectors find boxes.", "Masks"])
    weights = QuoteWeights(terms=1.0)
    (best,) = best_sentences(question, [contents_passage()], embedder, n=1, weights=weights, rarity=rarity)
    assert best.text.startswith("Introduction Forward Mode AD")
    # the contents answer no other question
    assert title_answers("what is automatic differentiation?", contents_passage(), {"automat", "differentiat"}) == []


def test_a_contents_line_run_into_its_body_ends_before_the_first_heading_repeats() -> None:
    """Blog exports run the heading list into the body, which opens with the first heading again: the titles span
    ends after that repeat (ingest.toc), the answer before it."""
    titles = "Table of Contents Introduction Definition Attention Usage Resources Introduction"
    note = titles + " The story of Transformers begins with attention."
    question = "what topics does the transformers article cover?"
    spans = title_answers(question, note_hit(note, len(titles)), key_stems(question))
    assert [note[s:e] for s, e in spans] == ["Introduction Definition Attention Usage Resources"]
    assert contents_end(CONTENTS_LINE.split()[3:]) == 8  # no repeat: every word lists a heading
    nested = ["Introduction", "Preprocessing", "Tasks", "Introduction", "Preprocessing", "Tokenization", "Stopwords"]
    assert contents_end(nested) == len(nested)  # the headings again, with their subheadings


def test_a_question_about_a_paper_a_title_cites_is_answered() -> None:
    """ "who wrote centermask?" over a contents line of paper names: weak cosine, and "wrote" is a word no note
    uses, yet the title names its authors."""
    from core.settings import AnswerSettings
    from service.answer import Evidence
    from service.title_answers import cites_asked

    assert cites_asked("who wrote centermask, and when?", [passage()])
    assert not cites_asked("what does centermask add?", [passage()])  # not a who/when question
    assert not cites_asked("who wrote xgboost?", [passage()])  # no title cites it
    config = AnswerSettings()
    weak = Evidence("q", "q", [passage()], False, strength=0.12, unknown_terms=["wrote"], coverage=0.45)
    assert weak.abstains(config)
    assert not replace(weak, cited=True).abstains(config)
