"""The fine-tuning data builder: gold source cited, refusals present, split disjoint, eval excluded."""

from __future__ import annotations

from pathlib import Path

from core.text import cited_numbers
from models.finetune.data import (
    DataConfig,
    Passage,
    build_dataset,
    content_set,
    flashcard_seeds,
    near_duplicate,
    seeds_from_notes,
)
from models.prompts import REFUSAL

# A small flashcard note written for this test, plus unrelated paragraphs for distractors.
FLASHCARDS = """Study Flashcards
What is dropout?
Dropout randomly switches off units during training so the network cannot rely on any one feature.
Why use mini-batches?
Mini-batches give a gradient estimate that is cheaper than the full batch and less noisy than one example.
What does Adam combine?
Adam combines momentum with RMSProp and corrects the bias of both moving averages.
What is early stopping?
Early stopping ends training when the validation loss stops improving.
How does weight decay work?
Weight decay shrinks every weight a little at each step, which penalises large weights.
What is a learning rate warm-up?
Warm-up raises the learning rate from a small value over the first steps to avoid early divergence.
"""
OTHER = [
    "Convolutions slide a small kernel over an image and share its weights across positions.",
    "Tokenizers split text into subword units using byte pair encoding merges.",
    "A hash map stores keys in buckets chosen by a hash function.",
    "Sorting algorithms such as merge sort run in n log n time.",
    "Photosynthesis turns light, water and carbon dioxide into sugar in plants.",
    "Beam search keeps the k best partial sequences at each decoding step.",
]


def make_retrieve(passages: list[Passage]):
    """Word-overlap ranking over real text: enough to pick plausible distractors."""

    def retrieve(question: str, k: int) -> list[Passage]:
        q = content_set(question)
        ranked = sorted(passages, key=lambda p: (-len(q & content_set(p.text)), p.text))
        return ranked[:k]

    return retrieve


def corpus() -> tuple[list, list[Passage]]:
    seeds = flashcard_seeds("cards.txt", FLASHCARDS, "Study Flashcards", max_words=40)
    passages = [s.passage for s in seeds] + [
        Passage("other.txt", i * 100, i * 100 + len(t), t, ["Other"]) for i, t in enumerate(OTHER)
    ]
    return seeds, passages


def test_flashcards_become_question_answer_seeds():
    seeds, _ = corpus()
    assert [s.question for s in seeds][:2] == ["What is dropout?", "Why use mini-batches?"]
    assert seeds[0].answer.startswith("Dropout randomly switches off units")
    assert all(FLASHCARDS[s.passage.start : s.passage.end] == s.passage.text for s in seeds)


def test_answers_cite_the_gold_source_which_holds_the_answer():
    seeds, passages = corpus()
    data = build_dataset(seeds, make_retrieve(passages), DataConfig(k=3, refusal_share=0.0, heldout_share=0.2))
    answerable = [ex for ex in data.train + data.heldout if ex.kind == "answerable"]
    assert len(answerable) == len(seeds)
    for ex in answerable:
        assert cited_numbers(ex.answer) == [ex.gold]
        gold = ex.sources[ex.gold - 1]
        assert ex.answer.split(" [")[0][:30] in " ".join(gold.text.split())
        assert [s.n for s in ex.sources] == [1, 2, 3]


def test_refusals_have_no_source_with_the_answer():
    seeds, passages = corpus()
    off_topic = ["What is the capital of Peru?", "How do I bake bread?", "Who wrote Hamlet?"]
    data = build_dataset(seeds, make_retrieve(passages), DataConfig(k=3, refusal_share=1.0), off_topic=off_topic)
    refusals = [ex for ex in data.train + data.heldout if ex.kind == "unanswerable"]
    assert refusals and all(ex.answer == REFUSAL and ex.gold is None for ex in refusals)
    by_question = {s.question: s for s in seeds}
    for ex in refusals:
        if ex.question in by_question:  # same question, its evidence removed
            gold = by_question[ex.question].passage.text
            assert all(s.text != gold[: len(s.text)] for s in ex.sources)


def test_split_is_disjoint_seeded_and_excludes_eval_questions():
    seeds, passages = corpus()
    cfg = DataConfig(k=3, refusal_share=0.5, heldout_share=0.3, seed=7)
    eval_questions = ["what is DROPOUT", "Why should one use mini batches?"]
    data = build_dataset(seeds, make_retrieve(passages), cfg, eval_questions=eval_questions)
    train_q = {ex.question for ex in data.train}
    assert train_q.isdisjoint({ex.question for ex in data.heldout})
    assert "What is dropout?" not in train_q and "What is dropout?" in data.excluded + [
        ex.question for ex in data.heldout
    ]
    again = build_dataset(seeds, make_retrieve(passages), cfg, eval_questions=eval_questions)
    assert [ex.to_json() for ex in again.train] == [ex.to_json() for ex in data.train]


def test_near_duplicate_questions():
    assert near_duplicate("What is dropout?", "what is dropout")
    assert near_duplicate("Why use mini-batches?", "Why should one use mini batches?")
    assert not near_duplicate("What is dropout?", "What is batch norm?")


def test_real_notes_yield_all_three_kinds(notes_dir: Path):
    origins = {s.origin for s in seeds_from_notes(notes_dir)}
    assert origins == {"flashcard", "section", "definition"}
