"""Fine-tuning examples built from the notes: question + numbered sources -> concise answer with [n].

Three kinds of answerable questions come out of the notes themselves: flashcard question/answer
pairs, "What do the notes say about <section title>?" for short title lines followed by content, and
"What is <X>?" for definitional sentences ("X is a ..."). Refusal examples pair a question with
retrieved sources that do not contain its answer; their target is the fixed REFUSAL sentence.
The gold passage is placed among retrieved distractors at a seeded random position.
"""

from __future__ import annotations

import difflib
import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from core.text import content_words, words
from models.prompts import REFUSAL, PromptSource, build_messages

_QUESTION_START = re.compile(
    r"^(what|why|how|when|which|who|explain|name|describe|define|list|give|is|are|does|do|can|should)\b",
    re.IGNORECASE,
)
_DEFINITION = re.compile(r"^([A-Z][\w\- ()’']{2,60}?) (?:is|are) (?:a|an|the|one|used|method)\b")

_NOT_TERMS = frozenset(
    (
        "this",
        "it",
        "that",
        "there",
        "which",
        "here",
        "next",
        "another",
        "each",
        "also",
        "then",
        "so",
        "now",
        "first",
        "second",
    )
)

OFF_TOPIC_QUESTIONS = (
    "What is the capital of Australia?",
    "How long should I boil an egg?",
    "Who wrote the novel Pride and Prejudice?",
    "What is the boiling point of water at sea level in Fahrenheit?",
    "How do I change a flat bicycle tyre?",
    "Which planet has the most moons?",
    "What year did the Berlin Wall fall?",
    "How many players are on a football team?",
    "What is the recipe for sourdough bread?",
    "Who painted the Mona Lisa?",
    "How do I renew a passport?",
    "What is the tallest mountain in Africa?",
    "What are the rules of chess castling?",
    "How does a refrigerator keep food cold?",
    "What is the population of Canada?",
    "Which composer wrote the Four Seasons?",
    "How do I get a coffee stain out of a shirt?",
    "What is the speed of sound in air?",
    "Who was the first person to walk on the moon?",
    "What language is spoken in Brazil?",
    "How many bones are in the human body?",
    "What causes the seasons on Earth?",
    "How do I make a paper airplane?",
    "What is the currency of Japan?",
    "What does a mortgage broker do?",
    "How often should I water a cactus?",
    "What is the plot of Hamlet?",
    "Who invented the telephone?",
    "What is photosynthesis in plants?",
    "How do volcanoes form?",
    "What is the difference between a crocodile and an alligator?",
    "How far is the Moon from the Earth?",
    "What is the best way to learn to swim?",
    "Which country hosted the 2016 Summer Olympics?",
    "How do I tie a bowline knot?",
    "What is the chemical symbol for gold?",
)


class SourceLike(Protocol):
    text: str
    breadcrumbs: list[str]


Retrieve = Callable[[str, int], Sequence[SourceLike]]


@dataclass
class Passage:
    """A span of one note: the gold evidence of a question, or a retrieval unit."""

    doc: str
    start: int
    end: int
    text: str
    breadcrumbs: list[str] = field(default_factory=list)


@dataclass
class Seed:
    """A question the notes answer, with its gold passage and a concise reference answer (no marker)."""

    question: str
    answer: str
    passage: Passage
    origin: str  # flashcard | section | definition


@dataclass
class Example:
    """One supervised example: the prompt's parts and the target answer."""

    id: str
    question: str
    sources: list[PromptSource]
    answer: str
    kind: str  # answerable | unanswerable
    origin: str
    gold: int | None  # number of the gold source, None for refusals

    def messages(self) -> list[dict[str, str]]:
        return build_messages(self.question, self.sources)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Example:
        return cls(**{**row, "sources": [PromptSource(**s) for s in row["sources"]]})


@dataclass
class DataConfig:
    k: int = field(default=4, metadata={"help": "Sources per prompt (gold + retrieved distractors)."})
    heldout_share: float = field(default=0.2, metadata={"help": "Share of question groups held out."})
    refusal_share: float = field(
        default=0.3,
        metadata={"help": "Refusals per answerable example, roughly (0.5 made a CPU-trained adapter over-refuse)."},
    )
    max_answer_words: int = field(default=45, metadata={"help": "Reference answers are cut to this length."})
    max_passage_words: int = field(default=90, metadata={"help": "Gold passages are cut to this length."})
    seed: int = field(default=0, metadata={"help": "Seeds source order, refusals and the split."})

    def __post_init__(self) -> None:
        if not 2 <= self.k <= 8:
            raise ValueError(f"k must be in [2, 8], got {self.k}")
        if not 0 < self.heldout_share < 0.5:
            raise ValueError(f"heldout_share must be in (0, 0.5), got {self.heldout_share}")
        if not 0 <= self.refusal_share <= 1:
            raise ValueError(f"refusal_share must be in [0, 1], got {self.refusal_share}")


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
    return jaccard >= 0.6 or difflib.SequenceMatcher(None, na, nb).ratio() >= 0.85


def _clip_words(text: str, n: int) -> str:
    tokens = text.split()
    return " ".join(tokens[:n])


def concise(text: str, max_words: int) -> str:
    """Whole sentences up to max_words (at least the first sentence, clipped)."""
    flat = " ".join(text.replace("\n- ", "; ").replace("\n", "; ").split()).strip(" ;-")
    sentences = re.split(r"(?<=[.!?])\s+", flat)
    out: list[str] = []
    for sentence in sentences:
        if out and len(" ".join(out + [sentence]).split()) > max_words:
            break
        out.append(sentence)
    return _clip_words(" ".join(out), max_words).rstrip(" ;,:")


def with_marker(answer: str, n: int) -> str:
    """'Some fact.' -> 'Some fact [n].'"""
    body = answer.rstrip(" .")
    return f"{body} [{n}]."


# --- seeds from the notes -------------------------------------------------------------------------


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def is_flashcard_question(line: str) -> bool:
    s = line.strip()
    if not s or s[0] in "-•(0123456789" or len(s.split()) > 25:
        return False
    return s.endswith("?") or bool(_QUESTION_START.match(s))


def flashcard_seeds(doc: str, text: str, title: str, max_words: int) -> list[Seed]:
    """Question lines followed by their answer lines, up to the next question."""
    lines = _lines_with_offsets(text)
    starts = [i for i, (_, line) in enumerate(lines) if is_flashcard_question(line)]
    seeds = []
    for a, b in zip(starts, starts[1:] + [len(lines)], strict=True):
        question = lines[a][1].strip()
        body = [line for _, line in lines[a + 1 : b] if line.strip()]
        if not body:
            continue
        start = lines[a][0]
        end = lines[b - 1][0] + len(lines[b - 1][1])
        span = text[start:end].rstrip()
        passage = Passage(doc, start, start + len(span), span, [title, question])
        seeds.append(Seed(question, concise("\n".join(body), max_words), passage, "flashcard"))
    return seeds


def is_title_line(line: str) -> bool:
    s = line.strip()
    return (
        0 < len(s.split()) <= 6
        and s[0].isupper()
        and s[-1] not in ".?:,;"
        and not s.startswith(("-", "•"))
        and not is_flashcard_question(s)
    )


def section_seeds(doc: str, text: str, title: str, max_words: int) -> list[Seed]:
    """A short title line whose following lines hold at least a sentence of prose."""
    lines = _lines_with_offsets(text)
    seeds = []
    for i, (start, line) in enumerate(lines[1:-1], start=1):
        if not is_title_line(line):
            continue
        body, end = [], start + len(line)
        for off, nxt in lines[i + 1 :]:
            if is_title_line(nxt) and body:
                break
            body.append(nxt)
            end = off + len(nxt)
            if len(" ".join(body).split()) >= max_words:
                break
        prose = " ".join(b.strip(" -•") for b in body if b.strip())
        if len(prose.split()) < 8:
            continue
        name = line.strip()
        passage = Passage(doc, start, end, text[start:end], [title, name])
        seeds.append(Seed(f"What do the notes say about {name}?", concise(prose, max_words), passage, "section"))
    return seeds


def definition_seeds(doc: str, text: str, title: str, max_words: int) -> list[Seed]:
    """'X is a ...' sentences become 'What is X?'; the passage is the sentence and what follows it."""
    seeds = []
    for match in re.finditer(r"(?:(?<=\n)|(?<=[.!?] )|^)([A-Z][^.!?\n]{15,400}[.!?])", text):
        sentence = match.group(1)
        head = _DEFINITION.match(sentence)
        if head is None or len(head.group(1).split()) > 6:
            continue
        term = head.group(1).strip()
        if is_flashcard_question(sentence) or term.split()[0].lower() in _NOT_TERMS:
            continue
        if term.startswith(("The ", "A ", "An ")):
            term = term[0].lower() + term[1:]
        start = match.start(1)
        end = min(len(text), start + 600)
        passage_text = _clip_words(text[start:end], 90)
        end = start + len(passage_text)
        verb = "are" if " are " in sentence[: len(term) + 6] else "is"
        passage = Passage(doc, start, end, text[start:end], [title])
        seeds.append(Seed(f"What {verb} {term}?", concise(sentence, max_words), passage, "definition"))
    return seeds


def seeds_from_notes(notes_dir: Path, max_words: int = 45) -> list[Seed]:
    """Every seed the notes yield: flashcards from flashcard files, sections and definitions elsewhere."""
    seeds: list[Seed] = []
    for path in sorted(notes_dir.glob("*")):
        if not path.is_file() or path.suffix not in {".txt", ".md"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        title = text.strip().split("\n", 1)[0][:60].strip()
        lines = [line for line in text.split("\n") if line.strip()]
        share_questions = sum(map(is_flashcard_question, lines)) / max(1, len(lines))
        if "flashcard" in title.lower() or share_questions > 0.15:
            seeds += flashcard_seeds(path.name, text, title, max_words)
        else:
            seeds += section_seeds(path.name, text, title, max_words)
        seeds += definition_seeds(path.name, text, title, max_words)
    unique: dict[str, Seed] = {}
    for seed in seeds:
        unique.setdefault(normalize_question(seed.question), seed)
    return list(unique.values())


# --- examples -------------------------------------------------------------------------------------


def _overlaps(source: SourceLike, passage: Passage, answer: str) -> bool:
    """Whether a retrieved source contains (much of) the gold evidence."""
    doc, start, end = getattr(source, "doc", None), getattr(source, "start", None), getattr(source, "end", None)
    if doc == passage.doc and start is not None and end is not None and start < passage.end and passage.start < end:
        return True
    answer_words = content_set(answer)
    return bool(answer_words) and len(answer_words & content_set(source.text)) / len(answer_words) >= 0.4


def _as_prompt(n: int, source: SourceLike | Passage, max_words: int) -> PromptSource:
    return PromptSource(n=n, text=_clip_words(source.text, max_words), breadcrumbs=list(source.breadcrumbs))


def answerable_example(seed: Seed, retrieve: Retrieve, cfg: DataConfig, rng: random.Random) -> Example:
    distractors = [s for s in retrieve(seed.question, cfg.k + 4) if not _overlaps(s, seed.passage, seed.answer)]
    chosen: list[SourceLike | Passage] = list(distractors[: cfg.k - 1])
    gold_at = rng.randint(0, len(chosen))
    chosen.insert(gold_at, seed.passage)
    sources = [_as_prompt(n, s, cfg.max_passage_words) for n, s in enumerate(chosen, start=1)]
    return Example(
        id="",
        question=seed.question,
        sources=sources,
        answer=with_marker(seed.answer, gold_at + 1),
        kind="answerable",
        origin=seed.origin,
        gold=gold_at + 1,
    )


def refusal_example(
    question: str, retrieve: Retrieve, cfg: DataConfig, origin: str, seed: Seed | None = None
) -> Example | None:
    """Retrieved sources minus any that hold the answer; None when too few remain."""
    found = retrieve(question, cfg.k + 4)
    if seed is not None:
        found = [s for s in found if not _overlaps(s, seed.passage, seed.answer)]
        # the question's topic must really be absent, not merely its gold passage
        remaining = content_set(" ".join(s.text for s in found[: cfg.k]))
        if len(content_set(seed.answer) & remaining) / max(1, len(content_set(seed.answer))) > 0.25:
            return None
    if len(found) < cfg.k:
        return None
    sources = [_as_prompt(n, s, cfg.max_passage_words) for n, s in enumerate(found[: cfg.k], start=1)]
    return Example("", question, sources, REFUSAL, "unanswerable", origin, None)


def load_eval_questions(path: Path) -> list[str]:
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [row["question"] for row in rows]


@dataclass
class Dataset:
    train: list[Example]
    heldout: list[Example]
    excluded: list[str]  # training questions dropped because they (nearly) match an eval question

    def stats(self) -> dict[str, Any]:
        def count(rows: list[Example]) -> dict[str, int]:
            out: dict[str, int] = {}
            for row in rows:
                out[f"{row.kind}:{row.origin}"] = out.get(f"{row.kind}:{row.origin}", 0) + 1
            return out

        return {"train": count(self.train), "heldout": count(self.heldout), "excluded": len(self.excluded)}


def build_dataset(
    seeds: Sequence[Seed],
    retrieve: Retrieve,
    cfg: DataConfig | None = None,
    *,
    eval_questions: Sequence[str] = (),
    off_topic: Sequence[str] = OFF_TOPIC_QUESTIONS,
) -> Dataset:
    """Seeded examples and a held-out split by question group (a seed and its refusal stay together)."""
    cfg = cfg or DataConfig()
    rng = random.Random(cfg.seed)
    groups: list[list[Example]] = []
    for seed in seeds:
        group = [answerable_example(seed, retrieve, cfg, rng)]
        # the same question with its evidence removed: the model must notice the gap
        if rng.random() < cfg.refusal_share / 2 and (
            refusal := refusal_example(seed.question, retrieve, cfg, "missing-evidence", seed)
        ):
            group.append(refusal)
        groups.append(group)
    n_off_topic = round(cfg.refusal_share / 2 * len(seeds))
    for question in [off_topic[i % len(off_topic)] for i in range(min(n_off_topic, len(off_topic)))]:
        if (refusal := refusal_example(question, retrieve, cfg, "off-topic")) is not None:
            groups.append([refusal])

    rng.shuffle(groups)
    n_heldout = max(1, round(cfg.heldout_share * len(groups)))
    heldout = [ex for group in groups[:n_heldout] for ex in group]
    train, excluded = [], []
    for ex in (ex for group in groups[n_heldout:] for ex in group):
        if any(near_duplicate(ex.question, q) for q in eval_questions):
            excluded.append(ex.question)
        else:
            train.append(ex)
    for split, rows in (("train", train), ("heldout", heldout)):
        for i, ex in enumerate(rows):
            ex.id = f"{split}-{i:04d}"
    return Dataset(train, heldout, excluded)


def write_jsonl(rows: Sequence[Example], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in rows))


def read_jsonl(path: Path) -> list[Example]:
    return [Example.from_json(json.loads(line)) for line in path.read_text().splitlines() if line.strip()]
