"""Fine-tuning examples shaped like what the service sends the model: question + its top-k sources -> answer [n].

The service retrieves the top 4 note passages for a question with the hybrid retriever and prompts with
`build_messages(question, sources, max_source_words=120)`. Each answerable example does the same for a
paraphrased question (`models.finetune.questions`) about a seed (`models.finetune.seeds`): its sources are
that retriever's top k, so the distractors are the ones the model will really see, and the gold passage
stays wherever the retriever ranked it. When the retriever missed it, the gold passage takes a seeded
random place; when the retrieved span holding the answer shows it past the prompt's word cut, the gold
passage itself takes that span's place. The target is the answer in the notes' words with its [n].
Refusal examples ask about near-topic subjects the notes never mention (`models.finetune.unanswerable`),
with the retriever's top k as sources and REFUSAL as the target.
"""

from __future__ import annotations

import difflib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol

from core.text import content_words, words
from models.finetune.questions import paraphrases
from models.finetune.seeds import Passage, Seed, word_end
from models.finetune.unanswerable import refusal_questions
from models.prompts import REFUSAL, PromptSource, build_messages


class SourceLike(Protocol):
    doc: str
    start: int
    end: int
    text: str
    breadcrumbs: list[str]


Retrieve = Callable[[str], Sequence[SourceLike]]  # question -> the service's top-k note sources


@dataclass
class Example:
    """One supervised example: the prompt's parts and the target answer."""

    id: str
    question: str
    sources: list[PromptSource]
    answer: str
    kind: str  # answerable | unanswerable
    origin: str  # flashcard | title | definition | near-topic
    gold: int | None  # number of the gold source, None for refusals
    source_words: int = 120  # words of each source the prompt shows (the service's answer.source_words)
    placement: str = ""  # where the gold source came from: retrieved | swapped | inserted ("" for refusals)

    def messages(self) -> list[dict[str, str]]:
        return build_messages(self.question, self.sources, max_source_words=self.source_words)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Example:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in row.items() if k in known and k != "sources"}, sources=_sources(row))


def _sources(row: dict[str, Any]) -> list[PromptSource]:
    return [PromptSource(**s) for s in row["sources"]]


@dataclass
class DataConfig:
    k: int = field(default=4, metadata={"help": "Sources per prompt: the service's answer.top_k."})
    source_words: int = field(default=120, metadata={"help": "Words per source in the prompt (answer.source_words)."})
    heldout_share: float = field(default=0.2, metadata={"help": "Share of seed groups held out."})
    refusal_share: float = field(
        default=0.3,
        metadata={"help": "Refusals per answerable example, roughly (0.5 made a CPU-trained adapter over-refuse)."},
    )
    paraphrases: int = field(default=2, metadata={"help": "Questions asked per seed (fewer when the rules allow)."})
    min_answer_words: int = field(default=18, metadata={"help": "Answers take sentences until this many words."})
    max_answer_words: int = field(default=45, metadata={"help": "Answers are cut to this length."})
    seed: int = field(default=0, metadata={"help": "Seeds paraphrases, gold placement, refusals and the split."})

    def __post_init__(self) -> None:
        if not 2 <= self.k <= 8:
            raise ValueError(f"k must be in [2, 8], got {self.k}")
        if not 0 < self.heldout_share < 0.5:
            raise ValueError(f"heldout_share must be in (0, 0.5), got {self.heldout_share}")
        if not 0 <= self.refusal_share <= 1:
            raise ValueError(f"refusal_share must be in [0, 1], got {self.refusal_share}")
        if self.paraphrases < 1 or self.source_words < 10 or not 1 <= self.min_answer_words <= self.max_answer_words:
            raise ValueError("need paraphrases >= 1, source_words >= 10 and 1 <= min_answer_words <= max_answer_words")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> DataConfig:
        """A config from a train report, ignoring knobs older data builders had."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


def content_set(text: str) -> set[str]:
    return set(content_words(text))


def normalize_question(question: str) -> str:
    return " ".join(words(question))


def near_duplicate(a: str, b: str) -> bool:
    """Same question up to case, punctuation and light rewording."""
    na, nb = normalize_question(a), normalize_question(b)
    if na == nb:
        return True
    ca, cb = content_set(a), content_set(b)
    jaccard = len(ca & cb) / max(1, len(ca | cb))
    if jaccard >= 0.6:
        return True
    matcher = difflib.SequenceMatcher(None, na, nb)  # the cheap upper bounds first: ratio() is the slow part
    return matcher.real_quick_ratio() >= 0.85 and matcher.quick_ratio() >= 0.85 and matcher.ratio() >= 0.85


def with_marker(answer: str, n: int) -> str:
    """'Some fact.' -> 'Some fact [n].'"""
    return f"{answer.rstrip(' .;:,')} [{n}]."


def prompt_source(n: int, source: SourceLike) -> PromptSource:
    """A note source numbered as the service numbers it (its text and breadcrumbs as stored)."""
    return PromptSource(n=n, text=source.text, breadcrumbs=list(source.breadcrumbs), kind="note")


def covers(source: SourceLike, seed: Seed) -> bool:
    """Whether the source's span holds the seed's whole answer."""
    return source.doc == seed.passage.doc and source.start <= seed.answer_start and seed.answer_end <= source.end


def shows(source: SourceLike, seed: Seed, source_words: int) -> bool:
    """Whether the answer lies inside the words of the source that the prompt keeps."""
    return covers(source, seed) and seed.answer_end <= source.start + word_end(source.text, source_words)


def place_gold(
    hits: Sequence[SourceLike], seed: Seed, cfg: DataConfig, rng: random.Random
) -> tuple[list[SourceLike | Passage], int, str] | None:
    """(sources, 0-based gold index, placement), or None when even the gold passage hides the answer."""
    if not shows(seed.passage, seed, cfg.source_words):
        return None
    chosen: list[SourceLike | Passage] = list(hits[: cfg.k])
    for i, hit in enumerate(chosen):
        if covers(hit, seed):
            if shows(hit, seed, cfg.source_words):
                return chosen, i, "retrieved"
            chosen[i] = seed.passage
            return chosen, i, "swapped"
    chosen = chosen[: cfg.k - 1]
    at = rng.randint(0, len(chosen))
    chosen.insert(at, seed.passage)
    return chosen, at, "inserted"


def answerable_example(
    question: str, seed: Seed, retrieve: Retrieve, cfg: DataConfig, rng: random.Random
) -> Example | None:
    placed = place_gold(retrieve(question), seed, cfg, rng)
    if placed is None:
        return None
    chosen, at, placement = placed
    sources = [prompt_source(n, s) for n, s in enumerate(chosen, start=1)]
    answer = with_marker(seed.answer, at + 1)
    return Example("", question, sources, answer, "answerable", seed.origin, at + 1, cfg.source_words, placement)


def refusal_example(question: str, retrieve: Retrieve, cfg: DataConfig) -> Example:
    sources = [prompt_source(n, s) for n, s in enumerate(retrieve(question)[: cfg.k], start=1)]
    return Example("", question, sources, REFUSAL, "unanswerable", "near-topic", None, cfg.source_words)


def load_eval_questions(*paths: Path) -> list[str]:
    """Questions of eval JSONL files (missing files give none): training must not ask any of them."""
    out = []
    for path in paths:
        if path.is_file():
            out += [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]
    return out


@dataclass
class Dataset:
    train: list[Example]
    heldout: list[Example]
    excluded: list[str]  # seeds' notes questions dropped because a question of theirs matched an eval question

    def stats(self) -> dict[str, Any]:
        def count(rows: list[Example]) -> dict[str, int]:
            out: dict[str, int] = {}
            for row in rows:
                out[f"{row.kind}:{row.origin}"] = out.get(f"{row.kind}:{row.origin}", 0) + 1
            return dict(sorted(out.items()))

        rows = self.train + self.heldout
        placement: dict[str, int] = {}
        for row in rows:
            if row.placement:
                placement[row.placement] = placement.get(row.placement, 0) + 1
        gold_at = [sum(r.gold == n for r in rows) for n in range(1, max((len(r.sources) for r in rows), default=0) + 1)]
        return {
            "train": count(self.train),
            "heldout": count(self.heldout),
            "excluded": len(self.excluded),
            "gold_placement": dict(sorted(placement.items())),
            "gold_position_counts": gold_at,
        }


def build_dataset(
    seeds: Sequence[Seed],
    retrieve: Retrieve,
    cfg: DataConfig | None = None,
    *,
    eval_questions: Sequence[str] = (),
    refusal_topics: Sequence[str] = (),
) -> Dataset:
    """Seeded examples and a held-out split by group (a seed's paraphrases, or a topic's questions, stay
    together). A seed any of whose questions (or its line in the notes) nearly matches an eval question
    is left out whole, as is a refusal question that matches one."""
    cfg = cfg or DataConfig()
    rng = random.Random(cfg.seed)
    groups: list[list[Example]] = []
    excluded: list[str] = []

    def asked_in_eval(questions: Sequence[str]) -> bool:
        return any(near_duplicate(q, e) for q in questions for e in eval_questions)

    for seed in seeds:
        questions = paraphrases(seed, rng, cfg.paraphrases)
        if asked_in_eval([seed.question, *questions]):
            excluded.append(seed.question)
            continue
        group = [ex for q in questions if (ex := answerable_example(q, seed, retrieve, cfg, rng)) is not None]
        if group:
            groups.append(group)
    n_answerable = sum(len(g) for g in groups)
    by_topic: dict[str, list[Example]] = {}
    for topic, question in refusal_questions(refusal_topics, round(cfg.refusal_share * n_answerable), rng):
        if asked_in_eval([question]):
            excluded.append(question)
            continue
        by_topic.setdefault(topic, []).append(refusal_example(question, retrieve, cfg))
    groups += list(by_topic.values())

    rng.shuffle(groups)
    n_heldout = max(1, round(cfg.heldout_share * len(groups)))
    heldout = [ex for group in groups[:n_heldout] for ex in group]
    train = [ex for group in groups[n_heldout:] for ex in group]
    for split, rows in (("train", train), ("heldout", heldout)):
        for i, ex in enumerate(rows):
            ex.id = f"{split}-{i:04d}"
    return Dataset(train, heldout, excluded)


def write_jsonl(rows: Sequence[Example], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in rows))


def read_jsonl(path: Path) -> list[Example]:
    return [Example.from_json(json.loads(line)) for line in path.read_text().splitlines() if line.strip()]
