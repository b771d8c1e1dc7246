"""The fine-tuning data builder over a real ingest: seeds from ingest's passages and context spans, prompts
as the service builds them (its retriever's top k, 120 words a source), answers in the notes' words with
the gold [n], near-topic refusals, eval questions excluded, a seeded split."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from core.settings import get_settings
from core.text import cited_numbers
from models.finetune.data import (
    DataConfig,
    Example,
    build_dataset,
    near_duplicate,
    place_gold,
    read_jsonl,
    write_jsonl,
)
from models.finetune.questions import mentions, paraphrases, rewrite
from models.finetune.retrieval import notes_index
from models.finetune.seeds import Passage, Seed, seeds_from_notes, seeds_from_passages
from models.finetune.unanswerable import absent_topics
from models.prompts import REFUSAL, build_messages

CARDS = """Study Flashcards
What is dropout?
Dropout randomly switches off units during training so that the network cannot rely on any one feature.
Why use mini-batches?
Mini-batches give a gradient estimate that is cheaper than the full batch and less noisy than one example.
What does Adam combine?
Adam combines momentum with RMSProp and corrects the bias of both moving averages during the first steps of training.
What is early stopping?
Early stopping ends training when the validation loss stops improving for a few epochs, limiting overfitting.
How does weight decay work?
Weight decay shrinks every weight a little at each update step, which penalises large weights.
"""
TOPICS = """Vision Notes
Convolutions
A convolution slides a small kernel over an image and shares its weights across every position of the image.
Pooling
Pooling summarises each small window of a feature map by its maximum or mean, which shrinks the map.
Tokenizers
Tokenizers split raw text into subword units using byte pair encoding merges learned from a corpus.
Beam Search
Beam search keeps the k best partial sequences at each decoding step instead of only the single best one.
"""
QUESTION_LINES = [line for line in CARDS.splitlines() if line.endswith("?")]
TITLES = ["Convolutions", "Pooling", "Tokenizers", "Beam Search"]
NEAR = ["label smoothing", "gradient clipping", "focal loss", "triplet loss", "curriculum learning", "AdaGrad"]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """A small notes folder ingested for real (real embedder), without the reference code."""
    notes = tmp_path_factory.mktemp("notes")
    (notes / "cards.txt").write_text(CARDS)
    (notes / "topics.txt").write_text(TOPICS)
    settings = get_settings().model_copy(update={"code_dir": None})
    with notes_index(notes, settings) as idx:
        yield idx


@pytest.fixture(scope="module")
def seeds(index):
    return seeds_from_passages(index.passages())


def build(index, seeds):
    return build_dataset(seeds, index.retrieve, DataConfig(refusal_share=0.5, heldout_share=0.25), refusal_topics=NEAR)


def test_seeds_come_from_ingest_context_spans(index, seeds):
    passages = index.passages()
    assert all(p.context for p in passages), "ingest marks each passage's question or title as context"
    by_origin = {s.question: s.origin for s in seeds}
    assert [q for q, o in by_origin.items() if o == "flashcard"] == QUESTION_LINES
    assert sorted(s.topic for s in seeds if s.origin == "title") == sorted(TITLES)
    for seed in seeds:
        flat = " ".join(seed.passage.text.split())
        assert seed.answer in flat and seed.passage.start <= seed.answer_start < seed.answer_end <= seed.passage.end
        assert not any(line in seed.answer for line in QUESTION_LINES), "a card's question is never its answer"


def test_answerable_examples_are_what_the_service_prompts(index, seeds):
    data = build(index, seeds)
    answerable = [ex for ex in data.train + data.heldout if ex.kind == "answerable"]
    assert len(answerable) >= len(seeds)
    by_answer = {s.answer.rstrip(" .;:,"): s for s in seeds}
    for ex in answerable:
        seed = by_answer[ex.answer.rsplit(" [", 1)[0]]
        assert cited_numbers(ex.answer) == [ex.gold] and ex.answer.endswith(f" [{ex.gold}].")
        assert ex.question != seed.question, "the notes' own question line is paraphrased"
        hits = index.retrieve(ex.question)
        gold = ex.sources[ex.gold - 1]
        if ex.placement == "retrieved":  # exactly the service's top k, in its order
            assert [s.text for s in ex.sources] == [h.text for h in hits]
        assert seed.answer.rstrip(".")[:40] in " ".join(gold.text.split()[:120])
        assert [s.n for s in ex.sources] == list(range(1, len(ex.sources) + 1))
        assert ex.messages() == build_messages(ex.question, ex.sources, max_source_words=120)


def test_near_topic_refusals_use_retrieved_sources(index, seeds):
    topics = absent_topics(index.note_texts(), ["what is focal loss?"], [(t,) for t in [*NEAR, "beam search"]])
    assert "beam search" in topics.in_notes and "focal loss" in topics.in_eval
    assert set(topics.kept) == set(NEAR) - {"focal loss"}
    data = build_dataset(seeds, index.retrieve, DataConfig(refusal_share=0.5), refusal_topics=topics.kept)
    refusals = [ex for ex in data.train + data.heldout if ex.kind == "unanswerable"]
    assert refusals and all(ex.answer == REFUSAL and ex.gold is None and ex.origin == "near-topic" for ex in refusals)
    for ex in refusals:
        assert any(mentions(ex.question, [t]) for t in topics.kept)
        assert [s.text for s in ex.sources] == [h.text for h in index.retrieve(ex.question)]


def test_eval_questions_exclude_their_whole_seed_and_the_split_is_seeded(index, seeds, tmp_path):
    eval_questions = ["what is DROPOUT", "Explain pooling to me"]
    cfg = DataConfig(refusal_share=0.5, heldout_share=0.3, seed=7)
    data = build_dataset(seeds, index.retrieve, cfg, eval_questions=eval_questions, refusal_topics=NEAR)
    asked = [ex.question.lower() for ex in data.train + data.heldout]
    assert not any("dropout" in q or "pooling" in q for q in asked)
    assert "What is dropout?" in data.excluded
    train_q = {ex.question for ex in data.train}
    assert train_q.isdisjoint({ex.question for ex in data.heldout}) and data.heldout
    again = build_dataset(seeds, index.retrieve, cfg, eval_questions=eval_questions, refusal_topics=NEAR)
    assert [ex.to_json() for ex in again.train] == [ex.to_json() for ex in data.train]
    write_jsonl(data.train, tmp_path / "train.jsonl")
    assert [ex.to_json() for ex in read_jsonl(tmp_path / "train.jsonl")] == [ex.to_json() for ex in data.train]


def _seed(text: str, answer: str, start: int = 0) -> Seed:
    passage = Passage("a.txt", start, start + len(text), text, ["A"])
    at = text.index(answer)
    return Seed("What is X?", answer, passage, "title", "X", start + at, start + at + len(answer))


def test_gold_is_inserted_when_missed_and_swapped_when_cut_off():
    seed = _seed("X is the answer here.", "X is the answer here.")
    others = [Passage("b.txt", i * 10, i * 10 + 5, f"other {i}", ["B"]) for i in range(4)]
    cfg = DataConfig(k=4, source_words=10)
    sources, at, how = place_gold(others, seed, cfg, random.Random(0))
    assert how == "inserted" and sources[at] is seed.passage and len(sources) == 4
    # the retrieved section holds the answer only past the prompt's 10-word cut: the passage replaces it
    intro = "intro words fill the first ten words of this long section "
    section = Passage("a.txt", -len(intro), seed.passage.end, intro + seed.passage.text, ["A"])
    sources, at, how = place_gold([others[0], section, others[1]], seed, cfg, random.Random(0))
    assert how == "swapped" and at == 1 and sources[1] is seed.passage
    sources, at, how = place_gold([others[0], seed.passage], seed, cfg, random.Random(0))
    assert how == "retrieved" and at == 1


def test_paraphrases_drop_the_notes_wording():
    seed = _seed("LoRA adds low-rank matrices.", "LoRA adds low-rank matrices.")
    seed.question, seed.topic = "What is LoRA?", "LoRA"
    questions = paraphrases(seed, random.Random(0), 2)
    assert len(questions) == 2 and all("lora" in q.lower() and q != "what is LoRA?" for q in questions)
    assert rewrite("How to build a 2 layer neural network?") == "how do I build a 2 layer neural network?"
    assert rewrite("Why is there a need for non-linear activation functions") == (
        "why do we need non-linear activation functions?"
    )
    assert mentions("PPO clips the ratio", ["ppo"]) and not mentions("we support it", ["ppo"])


def test_near_duplicate_questions():
    assert near_duplicate("What is dropout?", "what is dropout")
    assert near_duplicate("Why use mini-batches?", "Why should one use mini batches?")
    assert not near_duplicate("What is dropout?", "What is batch norm?")


def test_example_rows_from_older_builders_still_load():
    row = Example("x", "q?", [], "a [1].", "answerable", "flashcard", 1).to_json()
    del row["placement"], row["source_words"]
    assert Example.from_json(row).source_words == 120


def test_real_notes_yield_every_origin(notes_dir: Path):
    seeds = seeds_from_notes(notes_dir)
    assert {s.origin for s in seeds} == {"flashcard", "title", "definition"}
    assert len(seeds) > 80
    assert all(s.answer and "?" not in s.answer[-1:] for s in seeds)
