"""Follow-up questions carry the conversation's topic words; standalone ones, however they start, are left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.terms import TermRarity
from service.conversation import MAX_TURN_CHARS, is_follow_up, own_topic, rewrite_query
from service.runtime import Runtime
from tests.notes_settings import notes_settings
from tests.service.test_api_consistency import NOTES

# a small notes corpus: "model" and "weights" are in most passages (no topic), "lora", "boosting" in one
PASSAGES = [
    "LoRA decomposes the weight update of a model into low rank matrices; the original weights stay frozen.",
    "Gradient boosting builds decision trees in sequence, each one fitting the residual of the model.",
    "Batch norm normalises a layer's inputs over the mini batch of the model and its weights.",
    "Momentum smooths gradient descent of the model weights with an exponentially weighted average.",
    "The model weights are saved after training.",
    "A model with more weights needs more memory.",
]
RARITY = TermRarity.of_passages(PASSAGES)

LORA = [{"role": "user", "content": "What is LoRA?"}, {"role": "assistant", "content": "Low rank matrices [1]."}]
RELU = [{"role": "user", "content": "What does ReLU stand for?"}, {"role": "assistant", "content": "Rectified [1]."}]


@pytest.mark.parametrize(
    ("question", "history", "expected"),
    [
        # a pronoun leans on the last turn: its topic word, not its whole text, is carried
        ("and how is it merged at inference time?", LORA, "and how is it merged at inference time? lora"),
        ("why does that help?", LORA, "why does that help? lora"),
        # names a topic the notes hold and refers to nothing: a new question, though it starts with "so"/"and"
        ("so what is gradient boosting?", RELU, "so what is gradient boosting?"),
        ("and what is batch norm?", LORA, "and what is batch norm?"),
        # no topic of its own ("model" and "weights" are everywhere): a follow-up without any pronoun
        ("what about the weights?", LORA, "what about the weights? lora"),
        # no history: nothing to carry
        ("and how is it merged at inference time?", [], "and how is it merged at inference time?"),
    ],
)
def test_rewrite_query(question: str, history: list, expected: str) -> None:
    assert rewrite_query(question, history, RARITY) == expected


def test_a_chain_of_follow_ups_keeps_the_topic_that_started_it() -> None:
    """Turn 3 leans on turn 2, which leaned on turn 1: the query still names LoRA (turn 2's words are in no
    passage, so they carry nothing)."""
    history = [
        *LORA,
        {"role": "user", "content": "how is it merged at inference time?"},
        {"role": "assistant", "content": "Add B x A to the frozen weights [1]."},
    ]
    assert rewrite_query("why does that save memory?", history, RARITY) == "why does that save memory? lora"


def test_a_chain_stops_at_the_turn_that_set_the_topic() -> None:
    """Once a standalone question changed the topic, the turns before it are no longer carried."""
    history = [*LORA, {"role": "user", "content": "what is gradient boosting?"}]
    assert (
        rewrite_query("which libraries implement it?", history, RARITY)
        == "which libraries implement it? gradient boosting"
    )


@pytest.mark.parametrize(
    "question",
    [
        "What is one-hot encoding?",  # "one" of a compound, no pronoun
        "Is there a closed form solution for gradient boosting?",  # "there" that says something exists
        "there are residuals in gradient boosting?",
        "which models such as gradient boosting fit residuals?",  # "such as" gives examples
    ],
)
def test_one_there_and_such_as_that_point_at_nothing_are_no_back_reference(question: str) -> None:
    """After "What is LoRA?" these were searched with "lora" added ("what is one-hot encoding? lora")."""
    assert rewrite_query(question, LORA, RARITY) == question


@pytest.mark.parametrize(
    "question",
    [
        "why is there a scaling factor in its formula?",
        "why layer norm there?",
        "which one is faster?",
        "what is a peephole connection in the first one?",
        "is such a model useful?",
    ],
)
def test_there_one_and_such_that_point_back_still_do(question: str) -> None:
    assert is_follow_up(question, RARITY)


def test_relative_that_is_no_back_reference() -> None:
    assert not is_follow_up("which gradient boosting trees fit residuals that the model left?", RARITY)
    assert is_follow_up("why does that help?", RARITY)


def test_without_the_notes_counts_any_topic_word_counts() -> None:
    """Callers without an index (rarity None): a question naming any topic word stands alone."""
    assert rewrite_query("so what is gradient boosting?", RELU) == "so what is gradient boosting?"
    assert rewrite_query("how is it merged?", LORA) == "how is it merged? lora"


def test_a_question_about_what_the_notes_lack_is_a_new_question(tmp_path: Path) -> None:
    """Over notes on rivers and stars, "What is a black hole?" names a word the notes lack ("black", "hole"):
    a topic of its own, so after "What is a white dwarf?" it is not searched with "white dwarf" added (which
    quoted the white-dwarf passage) and abstains, as it does alone."""
    pipeline = Runtime.build(notes_settings(tmp_path, NOTES)).served.pipeline
    history = [{"role": "user", "content": "What is a white dwarf?"}, {"role": "assistant", "content": "..."}]
    answer = pipeline.answer("What is a black hole?", history)
    assert answer.query == "What is a black hole?"
    assert answer.abstained
    assert pipeline.answer("What is a black hole?").abstained
    # a question that refers back still carries the topic
    assert "dwarf" in pipeline.answer("How dense is it?", history).query


def test_in_a_tiny_folder_a_word_of_one_passage_is_a_topic() -> None:
    """With 4 passages a stem in one of them has idf ln(3.5 / 1.5) = 0.85 < MIN_TOPIC_IDF: without a floor
    every question in a conversation would be a follow-up."""
    rarity = TermRarity.of_passages(PASSAGES[:4])
    assert own_topic("what is gradient boosting?", rarity)
    assert rewrite_query("so what is batch norm?", LORA, rarity) == "so what is batch norm?"
    assert rewrite_query("how is it merged?", LORA, rarity) == "how is it merged? lora"


def test_an_earlier_turn_is_read_up_to_the_longest_question() -> None:
    """A history turn may be 20,000 characters (three such Thai turns took 18 s to read): only its first
    MAX_TURN_CHARS (the longest question accepted) are read, so a topic word past them is not carried."""
    long_turn = "What is LoRA?" + " " * MAX_TURN_CHARS + "gradient boosting"
    history = [{"role": "user", "content": long_turn}, {"role": "assistant", "content": "..."}]
    assert rewrite_query("how is it merged?", history, RARITY) == "how is it merged? lora"
