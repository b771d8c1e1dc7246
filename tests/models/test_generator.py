"""The Generator interface over the real llama.cpp model with the committed adapter."""

from __future__ import annotations

import pytest

from models.errors import GenerationError
from models.generator import apply_stops, load_generator
from models.prompts import REFUSAL, PromptSource, build_messages, cited_numbers

MESSAGES = build_messages(
    "What does Adam combine?",
    [
        PromptSource(n=1, text="Dropout switches off random units during training.", breadcrumbs=["Flashcards"]),
        PromptSource(n=2, text="Adam combines momentum with RMSProp.", breadcrumbs=["Flashcards", "Adam"]),
    ],
)


@pytest.mark.parametrize(
    ("pieces", "stop", "expected"),
    [
        (["Hel", "lo ##", "# world"], ["###"], ["Hel", "lo "]),  # the partial "##" is held back, then cut
        (["a", "b", "c"], [], ["a", "b", "c"]),
        (["ab", "c#", "d"], ["##"], ["ab", "c", "#d"]),  # a held-back "#" that is no stop is released
        (["STOP now"], ["STOP"], []),
        (["x", "y"], ["yz"], ["x", "y"]),  # tail released at the end
    ],
)
def test_apply_stops(pieces, stop, expected):
    assert list(apply_stops(pieces, stop)) == expected


@pytest.fixture(scope="module")
def generator():
    return load_generator("llamacpp", adapter="default", threads=2)


@pytest.mark.slow
def test_streams_pieces_that_join_to_the_greedy_answer(generator):
    pieces = list(generator.stream(MESSAGES, max_tokens=32))
    assert len(pieces) >= 3
    assert "".join(pieces) == generator.generate(MESSAGES, max_tokens=32)  # greedy: same every time


# (question, sources, the source that answers, a phrase the answer must carry)
CITED_CASES = [
    (
        "What does Adam combine?",
        ["Dropout switches off random units during training.", "Adam combines momentum with RMSProp."],
        2,
        "momentum",
    ),
    (
        "What does dropout do?",
        [
            "Adam combines momentum with RMSProp.",
            "Batch normalization normalizes each layer's inputs over the mini-batch.",
            "Dropout switches off random units during training to reduce overfitting.",
        ],
        3,
        "random units",
    ),
    (
        "What is the BLEU score?",
        [
            "The BLEU score is the geometric mean of the n-gram precisions times a brevity penalty.",
            "ROUGE measures the n-gram recall of a generated summary against reference summaries.",
        ],
        1,
        "geometric mean",
    ),
    (
        "What is the vanishing gradient problem?",
        [
            "LoRA trains two small low-rank matrices per layer and freezes the pretrained weights.",
            "The vanishing gradient problem: gradients shrink as they flow back through many layers, "
            "so the early layers learn very slowly.",
        ],
        2,
        "gradients shrink",
    ),
    (
        "What does LoRA train?",
        [
            "LoRA freezes the pretrained weights and trains two small low-rank matrices A and B per layer.",
            "Beam search keeps the k most likely partial sequences at each step.",
        ],
        1,
        "low-rank",
    ),
]


@pytest.mark.slow
def test_tuned_answers_cite_the_source_that_holds_them(generator):
    hits = []
    for question, texts, gold, phrase in CITED_CASES:
        sources = [PromptSource(n=i, text=t) for i, t in enumerate(texts, start=1)]
        answer = generator.generate(build_messages(question, sources), max_tokens=48)
        assert all(1 <= n <= len(texts) for n in cited_numbers(answer)), answer  # never a source it was not given
        hits.append(f"[{gold}]" in answer and phrase in answer.lower())
    # a 135M model drops a marker now and then (the service re-attaches it); it must not be the rule
    assert sum(hits) >= len(CITED_CASES) - 1, hits


@pytest.mark.slow
def test_tuned_model_refuses_off_topic_questions(generator):
    messages = build_messages(
        "What is the capital of Australia?",
        [PromptSource(n=1, text="Dropout switches off random units during training.")],
    )
    assert generator.generate(messages, max_tokens=24).strip() == REFUSAL


@pytest.mark.slow
def test_max_tokens_bounds_the_pieces(generator):
    assert len(list(generator.stream(MESSAGES, max_tokens=3))) <= 3


@pytest.mark.slow
def test_stop_sequence_cuts_the_answer(generator):
    full = generator.generate(MESSAGES, max_tokens=32)
    stop = full[6:10]
    assert generator.generate(MESSAGES, max_tokens=32, stop=[stop]) == full[: full.index(stop)]


@pytest.mark.slow
def test_loaded_once_per_process(generator):
    assert load_generator("llamacpp", adapter="default", threads=2) is generator


@pytest.mark.slow
def test_errors_name_the_fix(generator):
    huge = build_messages("q?", [PromptSource(n=1, text="word " * 3000)], max_source_words=3000)
    with pytest.raises(GenerationError, match="fewer or shorter sources"):
        list(generator.stream(huge, max_tokens=8))
    with pytest.raises(GenerationError, match="choose one of"):
        load_generator("vllm-on-mars", adapter=None)
