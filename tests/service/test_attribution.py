"""Sentence attribution with the real embedder: markers kept, moved, dropped; unsupported flagged."""

from __future__ import annotations

import pytest

from core.text import split_sentences, strip_markers, with_markers
from models.embedder import load_embedder
from service.attribution import attribute, join_sentences

SOURCES = [
    "LoRA keeps the original pretrained weight matrix frozen and trains two low-rank matrices A and B.",
    "Batch normalization normalizes each channel over the mini-batch to zero mean and unit variance.",
]


@pytest.fixture(scope="module")
def embedder():
    return load_embedder()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One fact [1]. Another fact [2].", ["One fact [1].", "Another fact [2]."]),
        ("Line one\nLine two", ["Line one", "Line two"]),
        ("e.g. a value of 0.01 is used.", ["e.g. a value of 0.01 is used."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [sentence for sentence, _ in split_sentences(text)] == expected


def test_markers_are_stripped_and_reinserted_before_the_full_stop() -> None:
    assert strip_markers("W stays frozen [1][2].") == ("W stays frozen.", [1, 2])
    assert with_markers("W stays frozen.", [2]) == "W stays frozen [2]."
    assert with_markers("no punctuation", []) == "no punctuation"


def test_right_marker_is_kept(embedder) -> None:
    (s,) = attribute("LoRA keeps the pretrained weights frozen and trains low-rank matrices [1].", SOURCES, embedder)
    assert s.supported and s.citations == [1] and s.text.endswith("[1].")


def test_wrong_marker_is_moved_to_the_supporting_source(embedder) -> None:
    (s,) = attribute("Batch normalization gives each channel zero mean and unit variance [1].", SOURCES, embedder)
    assert s.citations == [2] and "[1]" not in s.text


def test_unsupported_sentence_is_flagged_and_loses_its_marker(embedder) -> None:
    sentences = attribute(
        "LoRA trains two low-rank matrices while the base weights stay frozen [1]. "
        "The Eiffel Tower is in Paris and was finished in 1889 [2].",
        SOURCES,
        embedder,
    )
    assert [s.supported for s in sentences] == [True, False]
    assert sentences[1].citations == [] and "[2]" not in sentences[1].text


def test_answer_layout_survives_attribution(embedder) -> None:
    answer = (
        "LoRA keeps the pretrained weights frozen [1].\n- Batch norm normalizes each channel [2].\n- It uses the batch"
    )
    sentences = attribute(answer, SOURCES, embedder)
    assert join_sentences(sentences).count("\n") == 2


def test_repeated_sentences_are_said_once(embedder) -> None:
    answer = "LoRA keeps the weights frozen [1]. LoRA keeps the weights frozen [2].\nLoRA keeps the weights frozen."
    assert len(attribute(answer, SOURCES, embedder)) == 1
