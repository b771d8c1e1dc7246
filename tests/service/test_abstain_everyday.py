"""Weak evidence and an everyday word the notes never use (`service.abstain.known_coverage`): "is there an alternative
to the sin/cos positional encoding?" (cosine 0.27) abstained for "alternative" over the passage that answers it."""

from __future__ import annotations

import pytest

from core.settings import AnswerSettings
from retrieval.retriever import Hit
from retrieval.terms import TermRarity
from service.abstain import known_coverage, should_abstain

CONFIG = AnswerSettings(abstain_threshold=0.28, near_topic_threshold=0.45, unknown_terms=2, known_term_coverage=0.7)
PASSAGES = ["positional encoding uses sine or cosine", "attention keys", "dropout noise"]


def note(text: str) -> Hit:
    return Hit(text[:4], "d.txt", "note", [], 0, len(text), text, score=1.0, dense_score=0.2)


@pytest.mark.parametrize(
    ("unknown", "opaque", "known", "unnamed", "expected"),
    [
        (["alternative"], [], 1.0, [], False),  # one everyday word lacking, the rest in one source: answer
        (["alternative"], [], 0.0, [], True),  # as before (fewer than two known key terms: 0)
        (["alternative"], [], 0.67, [], True),  # the known terms spread over sources: weak evidence abstains
        (["alternative", "wrote"], [], 1.0, [], True),  # two words lacking: near-topic, as at moderate evidence
        (["bilstm"], ["bilstm"], 1.0, [], True),  # a name the notes lack ("... on top of a bilstm"): abstain
        (["simclr"], [], 1.0, ["simclr"], True),  # it heads the subject: the question is about what they lack
        ([], [], 1.0, [], False),  # nothing lacking, two or more key terms in one source
    ],
)
def test_weak_evidence_answers_when_one_source_holds_the_known_key_terms(
    unknown: list[str], opaque: list[str], known: float, unnamed: list[str], expected: bool
) -> None:
    assert should_abstain(0.2, unknown, CONFIG, 0.5, opaque, unnamed=unnamed, known=known) is expected
    off = CONFIG.model_copy(update={"known_term_coverage": 1.5})  # above 1: the rule as before
    assert should_abstain(0.2, unknown, off, 0.5, opaque, unnamed=unnamed, known=known) is True


def test_known_coverage_leaves_out_the_words_the_notes_lack() -> None:
    """ "alternative" is unseen: left out, the passage holds every key term. Against another passage, which holds
    "cosine" alone (in 1 of 3 passages, weighed as 20: ln 13), of positional, encoding, sine, cosine (ln 13 each)."""
    rarity = TermRarity.of_passages(PASSAGES)
    answers, other = note(PASSAGES[0]), note("cosine similarity of keys")
    question = "is there an alternative to the sine/cosine positional encoding?"
    assert known_coverage(question, ["alternative"], [other, answers], rarity, CONFIG.few_passages) == 1.0
    assert known_coverage(question, ["alternative"], [other], rarity, CONFIG.few_passages) == pytest.approx(0.25)


def test_one_known_key_term_cannot_tell_what_is_asked() -> None:
    """ "what is a cat?" over "the cat is on the mat", "how do I install dropout?" over a note on dropout: one key term
    the notes use, and the weak cosine is the verdict."""
    rarity = TermRarity.of_passages(PASSAGES)
    assert known_coverage("how do I install dropout?", ["install"], [note(PASSAGES[2])], rarity, 20) == 0.0


def test_a_word_the_notes_lack_in_what_is_asked_about_is_no_frame() -> None:
    """ "what is hugging face's business model?" over "Hugging Face: a widely-used unified API ..." (cosine 0.18):
    the one word the notes lack is in its subject, so the question is about what they lack ("what is hugging face
    good for?" lacks none: answered)."""
    rarity = TermRarity.of_passages(["Hugging Face: a unified API for model inference", *PASSAGES])
    hugging = note("Hugging Face: a unified API for model inference")
    business = "what is hugging face's business model?"
    assert known_coverage(business, ["business"], [hugging], rarity, 20) == 0.0
    assert known_coverage("what is hugging face good for?", [], [hugging], rarity, 20) == 1.0
