"""The Generator interface over the real llama.cpp model with the committed adapter (and, for the worker's
cancel and error mechanics, tiny fake backends: the engine is external, the worker is ours)."""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Iterator

import pytest

from core.text import cited_numbers
from models.errors import GenerationError, ModelError, ModelNotFound
from models.generator import Finish, Generator, apply_stops, load_generator
from models.prompts import REFUSAL, PromptSource, build_messages
from tests.scaling import assert_linear

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


def test_apply_stops_at_the_longest_stop_a_request_may_send() -> None:
    """/v1 bounds each stop to 64 characters (service.schemas.MAX_STOP_CHARS): 4 stops of 40,000 took 1.9 s
    for 10 pieces. At 64 the held-back tail is still exact, never more than a stop's length, and the work is
    linear in the pieces (a tail held back whole made each piece search all the text before it)."""
    near = "word " * 12 + "wor"  # a 63-character prefix of the first stop: held back until it is one or not
    stop = ["word " * 12 + "wor!", "y" * 64, "z" * 64, "#" * 64]
    read, passed, held = 0, 0, []

    def pieces() -> Iterator[str]:
        nonlocal read
        for piece in ["word "] * 2_000:
            held.append(read - passed)  # read but not passed on when the next piece is asked for
            read += len(piece)
            yield piece

    out = []
    for text in apply_stops(pieces(), stop):
        out.append(text)
        passed += len(text)
    assert "".join(out) == "word " * 2_000  # every tail matched a prefix, none the stop
    assert max(held) < 64
    assert_linear(lambda pieces: "".join(apply_stops(pieces, stop)), lambda n: ["word "] * n, 200)
    assert list(apply_stops([near, "d!", " rest"], stop)) == [near + "d!", " rest"]
    assert list(apply_stops([near, "!", " rest"], stop)) == []


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
def test_a_stop_sequence_counts_the_tokens_of_the_answer_it_leaves(generator):
    """/v1's usage.completion_tokens is `finish.tokens`. A stop sequence of the answer's 4th and 5th pieces
    leaves the first 3 (an English answer: one piece a token, as the uncut stream's own count shows), so 3 tokens;
    before, the count was the 5 pieces read, the stop's own among them (review P3-11)."""
    whole = generator.stream(MESSAGES, max_tokens=32)
    pieces = list(whole)
    assert whole.finish == Finish(len(pieces), "stop") and len(pieces) >= 6  # ended at its end of turn
    stop = pieces[3] + pieces[4]
    assert "".join(pieces).index(stop) == len("".join(pieces[:3]))  # the stop is first found there
    cut = generator.stream(MESSAGES, max_tokens=32, stop=[stop])
    assert "".join(cut) == "".join(pieces[:3])
    assert cut.finish == Finish(3, "stop")


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


@pytest.mark.slow
def test_an_abandoned_stream_does_not_hold_the_model(generator):
    first = generator.stream(MESSAGES, max_tokens=32)
    head = next(first)  # one piece, then `first` stays referenced but is read no more
    second = generator.stream(MESSAGES, max_tokens=4)
    arrived: queue.SimpleQueue[str] = queue.SimpleQueue()
    threading.Thread(target=lambda: arrived.put(next(second)), daemon=True).start()
    # a bounded wait, not a benchmark: with a lock held across yields this waited for `first` forever
    assert arrived.get(timeout=60)
    second.close()
    # the worker finished the abandoned answer rather than losing it: a slow reader still gets all of it
    assert head + "".join(first) == generator.generate(MESSAGES, max_tokens=32)


class EndlessBackend:
    """A model that never reaches end of turn: only a cancel frees the worker from it."""

    def __init__(self) -> None:
        self.stopped = threading.Event()

    def pieces(self, prompt: str, max_tokens: int) -> Iterator[str]:
        try:
            for i in itertools.count():
                time.sleep(0.001)
                yield f"t{i} "
        finally:
            self.stopped.set()

    def count_tokens(self, prompt: str) -> int:
        return len(prompt.split())

    def count_answer_tokens(self, text: str) -> int:
        return len(text.split())


@pytest.mark.parametrize("leave", ["close", "drop"])
def test_a_consumer_that_leaves_cancels_its_job(leave: str) -> None:
    backend = EndlessBackend()
    gen = Generator(backend, "endless")
    first = gen.stream(MESSAGES)
    assert next(first) == "t0 "
    if leave == "close":
        first.close()
    else:
        del first  # no close(): dropping the iterator is enough
    assert backend.stopped.wait(10)  # the worker stopped generating for nobody
    second = gen.stream(MESSAGES)
    assert next(second) == "t0 "  # and runs the next job
    second.close()


def test_a_stop_sequence_ends_the_generation() -> None:
    backend = EndlessBackend()
    assert Generator(backend, "endless").generate(MESSAGES, stop=["t3"]) == "t0 t1 t2 "
    assert backend.stopped.wait(10)


def test_a_stream_says_how_it_ended_only_once_it_has() -> None:
    stream = Generator(EndlessBackend(), "endless").stream(MESSAGES, stop=["t2"])
    assert next(stream) == "t0 "
    with pytest.raises(RuntimeError, match="has not ended"):
        stream.finish  # noqa: B018
    assert "".join(stream) == "t1 "
    assert stream.finish == Finish(2, "stop")  # "t0 t1 " is two words, the fake backend's tokens


class BrokenBackend:
    """A model that fails after its first piece."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def pieces(self, prompt: str, max_tokens: int) -> Iterator[str]:
        yield "one "
        raise self.error

    def count_tokens(self, prompt: str) -> int:
        return 1

    def count_answer_tokens(self, text: str) -> int:
        return 1


@pytest.mark.parametrize(
    ("error", "expected"),
    [(RuntimeError("CUDA out of memory"), GenerationError), (ModelNotFound("adapter missing"), ModelNotFound)],
)
def test_backend_errors_reach_the_consumer(error: Exception, expected: type[ModelError]) -> None:
    gen = Generator(BrokenBackend(error), "broken")
    stream = gen.stream(MESSAGES)
    assert next(stream) == "one "
    with pytest.raises(expected, match=str(error)) as raised:
        next(stream)
    if expected is GenerationError:  # a backend's own exception is translated, with its cause kept
        assert "broken failed while generating" in str(raised.value) and raised.value.__cause__ is error
    else:
        assert raised.value is error
    assert next(gen.stream(MESSAGES)) == "one "  # the worker survives a failed job
