"""The hand-written question sets that must not be written in the notes' words: notes_test.jsonl, notes_dev2.jsonl,
notes_test2.jsonl, notes_test3.jsonl, notes_test4.jsonl, notes_test5.jsonl, notes_test6.jsonl and notes_test7.jsonl.

HELD OUT: eval/datasets/notes_test.jsonl is for final numbers only. Do not change a system because of what it
scores there; a question from that file that has been tuned on belongs in a dev set instead.

TUNING: eval/datasets/notes_dev2.jsonl is the dev set to tune on from now on. It was written independently of
notes_dev.jsonl and notes_test.jsonl (without reading them), after notes_dev.jsonl had been tuned on for many
sessions and scored well above new questions; its gold quotes are passages neither of those sets uses, so it
measures how the system does on questions nobody has tuned on yet. notes_dev.jsonl stays as a regression set.

READ ONCE, NOW DEV: eval/datasets/notes_test2.jsonl (written 2026-12-01) was a fresh held-out set, written without
reading the questions of the other three sets (only which note passages their gold quotes cover, to stay away from
them) and without running the system on it; the lead ran it once, at a07d450, for numbers on never-seen questions,
and from session 14 on it is a dev set (tuned on). Its gold quotes are passages none of dev, dev2 and test uses,
and its unanswerable topics are ones none of them asks about and the finetune pipeline's near-topic list
(models/finetune/unanswerable.py) does not hold. 60 fact questions (at least 8 on each note), 8 code questions,
12 unanswerable (9 near-topic, 3 off-topic).

RUN ONCE: eval/datasets/notes_test3.jsonl (written 2026-12-01, session 14) replaces it as the fresh held-out set,
written the same way: by hand against the notes, without reading the questions of the four earlier sets (only which
note passages their gold quotes cover) and without running the system on it; the lead runs it once, at the end of
session 14. Its gold quotes are passages none of dev, test, dev2 and test2 uses (mostly contents lists, links and
list items the earlier sets passed over, and the later cards of the flashcards note), and its unanswerable topics
are ones none of them asks about and the near-topic list does not hold. 57 fact questions (at least 9 on each
note), 7 code questions (Adam, IoU, ROUGE-1, LoRA, batch norm, L1/L2 losses, autodiff), 12 unanswerable
(9 near-topic, 3 off-topic).

READ ONCE: eval/datasets/notes_test4.jsonl (written 2026-12-02, session 15) was written the same way (by hand
against the notes, without running the system on it or reading its reports) and read once in session 15. Its gold
quotes are passages none of the five earlier sets uses, and its unanswerable topics are new and off the near-topic
list. 73 fact questions (at least 9 on each note), 7 code questions (RMSprop, leaky ReLU, binary cross-entropy,
bias-variance, corpus BLEU, bag of visual words, gradient boosting), 13 unanswerable (11 near-topic, 2 off-topic).
Session 16 read its answers while looking for what limits the quoting writer and kept no change from it: a dev set
from then on.

READ ONCE: eval/datasets/notes_test5.jsonl (written 2026-12-02, session 16; read once in session 17) was written
the same way (by hand against the notes, without running the system or retrieval on it and without reading the
earlier sets' questions, only which passages their gold quotes cover). Its gold quotes are passages none of the six
earlier sets uses; notes 000, 002 and 004 were nearly used up, so it has fewer questions on them (3, 4 and 3: contents
lists, citations and short list items) and most on 001 (28) and 003 (12). Its unanswerable topics are new and off
the near-topic list. 50 fact questions, 5 code questions (sinusoidal positional encoding, perplexity, mean average
precision, layer norm, LSTM cell), 12 unanswerable (10 near-topic, 2 off-topic).

READ ONCE: eval/datasets/notes_test6.jsonl (written 2026-12-02, session 17; read once in session 18) was written the
same way (by hand, without running the system or retrieval on it, without reading the earlier sets' questions). Its
gold quotes are passages none of the seven earlier sets uses: most on 001 (30: flashcards the earlier sets passed over)
and 003 (9), and contents lists and headings on 000, 002 and 004 (4, 3, 4). Its unanswerable topics are new and off the
near-topic list. 50 fact questions, 5 code questions (softmax cross-entropy, instance norm, SGD with momentum, greedy
decoding, ReLU gradient), 12 unanswerable (10 near-topic, 2 off-topic).

READ ONCE: eval/datasets/notes_test7.jsonl (written 2026-12-02, session 18; read once in session 19) was written the
same way (by hand, without running the system or retrieval on it, without reading the earlier sets' questions). Its
gold quotes are passages none of the eight earlier sets uses: most on 001 (33 fact and all 5 code: flashcard lines the
earlier sets passed over, such as the beam-search walk-through, anchor boxes, the U-Net paths, BLEU and ROUGE
definitions, RAG), and three fact each on 000, 002, 003 and 004 (lead-ins, contents lists and headings; where a quote
runs into a passage an earlier set quotes, it shares at most half its span). Its unanswerable topics are new and off
the near-topic list. 45 fact questions, 5 code questions (sigmoid, tanh, n-gram counting, softmax Jacobian, causal
mask), 12 unanswerable (10 near-topic, 2 off-topic).

All of them were written by hand against the user's notes (../shared/notes), in the format of eval/dataset.py:
answerable fact questions spread over all five note files, a few code questions about topics with a reference
implementation, and unanswerable questions, most of them near-topic (deep-learning subjects the notes never
mention). Each unanswerable row carries `absent_terms`, the key terms of its topic; the loader ignores the extra
field and this test checks that none of them occurs in any note.

Questions are phrased the way someone who half-remembers a topic would ask, not in the notes' words: no question
shares a run of three consecutive content words (lowercased, stopwords removed) with one of its gold quotes.
"""

from __future__ import annotations

import inspect
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from core.datasets import (
    DATASETS_DIR,
    NOTES_DEV2,
    NOTES_SETS,
    NOTES_TEST,
    NOTES_TEST2,
    NOTES_TEST3,
    NOTES_TEST4,
    NOTES_TEST5,
    NOTES_TEST6,
    NOTES_TEST7,
    written_before,
)
from eval.dataset import Question, validate
from ingest.loaders import decode_text
from models.finetune.data import load_eval_questions
from models.finetune.pipeline import EVAL_SETS, prepare_data
from models.finetune.questions import mentions
from models.finetune.unanswerable import NEAR_TOPICS

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_SET, DEV2_SET, TEST2_SET, TEST3_SET = NOTES_TEST, NOTES_DEV2, NOTES_TEST2, NOTES_TEST3
TEST4_SET, TEST5_SET, TEST6_SET, TEST7_SET = NOTES_TEST4, NOTES_TEST5, NOTES_TEST6, NOTES_TEST7
# the sets whose wording and absent topics this file checks
CHECKED_SETS = {
    "test": TEST_SET,
    "dev2": DEV2_SET,
    "test2": TEST2_SET,
    "test3": TEST3_SET,
    "test4": TEST4_SET,
    "test5": TEST5_SET,
    "test6": TEST6_SET,
    "test7": TEST7_SET,
}
ALL_SETS = NOTES_SETS
# a fresh set's gold quotes must be passages the sets written before it do not use
EARLIER_SETS = {
    "dev2": (DEV2_SET, written_before(DEV2_SET)),
    "test2": (TEST2_SET, written_before(TEST2_SET)),
    "test3": (TEST3_SET, written_before(TEST3_SET)),
    "test4": (TEST4_SET, written_before(TEST4_SET)),
    "test5": (TEST5_SET, written_before(TEST5_SET)),
    "test6": (TEST6_SET, written_before(TEST6_SET)),
    "test7": (TEST7_SET, written_before(TEST7_SET)),
}
NOTES_DIR = REPO_ROOT.parent / "shared" / "notes"

MIN_QUESTIONS = 60
MIN_UNANSWERABLE = 10
MIN_ANSWERABLE_PER_NOTE = 3
SHARED_QUOTE = 0.5  # a fresh set's gold quote overlapping an earlier set's quote by more than this share repeats it
RUN = 3  # this many consecutive content words copied from a gold quote is too many

_STOPWORD_TEXT = """
a about above after again against all also am an and any are aren as at be because been before being below
between both but by can cannot could couldn did didn do does doesn doing don down during each eg etc few for
from further get gets got had hadn has hasn have haven having he her here hers herself him himself his how i
ie if in into is isn it its itself just let ll me more most much must my myself no nor not now of off on
once only or other ought our ours ourselves out over own re same shall she should shouldn so some such than
that the their theirs them themselves then there these they this those through to too under until up upon us
ve very vs was wasn we were weren what when where which while who whom why will with won would wouldn you
your yours yourself yourselves
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def content_words(text: str) -> list[str]:
    """Lowercased word tokens without stopwords or one-character tokens (variable names like x, w, b)."""
    text = text.lower().replace("\u2019", "'")
    return [w for w in re.findall(r"[a-z0-9]+", text) if len(w) > 1 and w not in STOPWORDS]


def copied_runs(question: str, quote: str, n: int = RUN) -> set[tuple[str, ...]]:
    """The runs of `n` consecutive content words that the question shares with the quote."""

    def runs(words: list[str]) -> set[tuple[str, ...]]:
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    return runs(content_words(question)) & runs(content_words(quote))


def _normalized(question: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", question.lower()))


# --- the checker itself, on hand-built examples (no notes needed) ---

QUOTE = "The rectified linear unit outputs the input directly if it is positive, otherwise it outputs zero."


@pytest.mark.parametrize(
    "question",
    [
        "what does the rectified linear unit do with negative numbers?",  # verbatim run
        "Rectified, Linear -- UNIT: what is it?",  # case and punctuation do not hide a copy
        "is it rectified and then linear for the unit?",  # stopwords between the words do not break the run
    ],
)
def test_checker_flags_a_copied_run(question: str) -> None:
    assert copied_runs(question, QUOTE) == {("rectified", "linear", "unit")}


@pytest.mark.parametrize(
    "question",
    [
        "what does ReLU give back when x is below zero?",  # paraphrase
        "is a linear unit any good?",  # two shared words in a row are fine
        "unit linear rectified?",  # same words, other order
    ],
)
def test_checker_allows_a_paraphrase(question: str) -> None:
    assert copied_runs(question, QUOTE) == set()


def test_content_words_drop_stopwords_and_single_letters() -> None:
    assert content_words("Why won’t the W matrix of a GRU train?") == ["matrix", "gru", "train"]


# --- the committed held-out set ---


@pytest.fixture(scope="module")
def notes_dir() -> Path:
    if not NOTES_DIR.is_dir():
        pytest.skip(f"the user's notes are not at {NOTES_DIR}; the held-out set is checked against them")
    return NOTES_DIR


@pytest.fixture(scope="module", params=sorted(CHECKED_SETS))
def dataset_path(request: pytest.FixtureRequest) -> Path:
    return CHECKED_SETS[request.param]


@pytest.fixture(scope="module")
def questions(dataset_path: Path, notes_dir: Path) -> list[Question]:
    return validate(dataset_path, notes_dir)  # raises DatasetError naming the line of a bad row


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def raw_rows(dataset_path: Path) -> dict[str, dict]:
    return {row["id"]: row for row in _rows(dataset_path)}


def test_size_and_kinds(questions: list[Question]) -> None:
    kinds = Counter(q.kind for q in questions)
    assert len(questions) >= MIN_QUESTIONS, kinds
    assert kinds["unanswerable"] >= MIN_UNANSWERABLE, kinds
    assert kinds["fact"] > 0 and kinds["code"] > 0, kinds


def test_every_note_has_answerable_questions(questions: list[Question], notes_dir: Path) -> None:
    per_note = Counter(doc for q in questions if q.relevant for doc in {g.doc for g in q.relevant})
    notes = sorted(p.name for p in notes_dir.glob("*.txt"))
    assert notes, f"no notes in {notes_dir}"
    thin = {name: per_note[name] for name in notes if per_note[name] < MIN_ANSWERABLE_PER_NOTE}
    assert not thin, f"notes with fewer than {MIN_ANSWERABLE_PER_NOTE} answerable questions: {thin}"


def test_questions_do_not_copy_their_gold_quotes(questions: list[Question]) -> None:
    copies = {
        q.id: sorted(" ".join(run) for gold in q.relevant for run in copied_runs(q.question, gold.quote))
        for q in questions
    }
    copies = {qid: runs for qid, runs in copies.items() if runs}
    assert not copies, f"questions sharing {RUN}+ consecutive content words with a gold quote: {copies}"


def test_unanswerable_topics_are_absent_from_the_notes(
    questions: list[Question], raw_rows: dict[str, dict], notes_dir: Path
) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(notes_dir.glob("*.txt"))).lower()
    missing_terms, present = [], {}
    for q in questions:
        if q.kind != "unanswerable":
            continue
        terms = raw_rows[q.id].get("absent_terms")
        if not (isinstance(terms, list) and terms and all(isinstance(t, str) and t.strip() for t in terms)):
            missing_terms.append(q.id)
            continue
        found = [t for t in terms if t.lower() in text]
        if found:
            present[q.id] = found
    assert not missing_terms, f"unanswerable questions without absent_terms: {missing_terms}"
    assert not present, f"'absent' terms that do occur in the notes: {present}"


def test_no_question_repeats_another_set(questions: list[Question], dataset_path: Path) -> None:
    others = {_normalized(row["question"]) for path in ALL_SETS if path != dataset_path for row in _rows(path)}
    repeated = [q.id for q in questions if _normalized(q.question) in others]
    assert not repeated, f"questions also in another notes set: {repeated}"
    within = [text for text, n in Counter(_normalized(q.question) for q in questions).items() if n > 1]
    assert not within, f"questions asked twice in {dataset_path.name}: {within}"


def _gold_spans(rows: list[dict], texts: dict[str, str]) -> list[tuple[str, str, int, int]]:
    """(id, doc, start, end) of each gold quote, at its first occurrence in its note."""
    spans = []
    for row in rows:
        for gold in row["relevant"]:
            start = texts[gold["doc"]].find(gold["quote"])
            spans.append((row["id"], gold["doc"], start, start + len(gold["quote"])))
    return spans


@pytest.mark.parametrize("fresh", sorted(EARLIER_SETS))
def test_fresh_gold_quotes_are_not_used_by_earlier_sets(fresh: str, notes_dir: Path) -> None:
    """dev2 and test2 to test7 measure questions nobody had tuned on, so none of their answers may be a passage an
    earlier set asks about (dev2: dev and test; test2: dev, test and dev2; test3: all four before it; test4: all
    five; test5: all six; test6: all seven; test7: all eight)."""
    path, earlier = EARLIER_SETS[fresh]
    texts = {p.name: decode_text(p.read_bytes())[0] for p in notes_dir.glob("*.txt")}
    theirs = _gold_spans([row for other in earlier for row in _rows(other)], texts)
    shared = {}
    for qid, doc, start, end in _gold_spans(_rows(path), texts):
        for other_id, other_doc, other_start, other_end in theirs:
            overlap = min(end, other_end) - max(start, other_start)
            if doc == other_doc and overlap > SHARED_QUOTE * min(end - start, other_end - other_start):
                shared.setdefault(qid, []).append(other_id)
    names = ", ".join(other.name for other in earlier)
    assert not shared, f"{path.name} questions whose gold quote a question of {names} also uses: {shared}"


# the shape each run-once set was written with: its kinds, counted
COMPOSITION = {
    "test2": {"fact": 60, "code": 8, "unanswerable": 12},
    "test3": {"fact": 57, "code": 7, "unanswerable": 12},
    "test4": {"fact": 73, "code": 7, "unanswerable": 13},
    "test5": {"fact": 50, "code": 5, "unanswerable": 12},
    "test6": {"fact": 50, "code": 5, "unanswerable": 12},
    "test7": {"fact": 45, "code": 5, "unanswerable": 12},
}
# the fewest fact questions each run-once set has on any one note (test5 to test7 were written when notes 000, 002
# and 004 (and, for test7, 003) had few passages left that no earlier set uses)
MIN_FACTS_PER_NOTE = {"test2": 8, "test3": 8, "test4": 8, "test5": 3, "test6": 3, "test7": 3}


@pytest.mark.parametrize("fresh", sorted(COMPOSITION))
def test_run_once_composition(fresh: str, notes_dir: Path) -> None:
    """A run-once set keeps the shape it was written with (test2: 60 fact, 8 code, 12 unanswerable; test3: 57 fact,
    7 code, 12 unanswerable; test4: 73 fact, 7 code, 13 unanswerable; test5 and test6: 50 fact, 5 code, 12
    unanswerable; test7: 45 fact, 5 code, 12 unanswerable), with at least its MIN_FACTS_PER_NOTE fact questions on
    each note (8 for test2 to test4, 3 for test5 to test7)."""
    path = CHECKED_SETS[fresh]
    questions = validate(path, notes_dir)
    kinds = Counter(q.kind for q in questions)
    assert kinds == COMPOSITION[fresh], kinds
    per_note = Counter(g.doc for q in questions if q.kind == "fact" for g in q.relevant)
    notes = sorted(p.name for p in notes_dir.glob("*.txt"))
    least = MIN_FACTS_PER_NOTE[fresh]
    thin = {name: per_note[name] for name in notes if per_note[name] < least}
    assert not thin, f"notes with fewer than {least} fact questions in {path.name}: {thin}"


def _unanswerable_text(row: dict) -> str:
    """What an unanswerable row asks about: its question and its absent terms, lowercased."""
    return " ".join([row["question"], *row.get("absent_terms", [])]).lower()


# sets whose unanswerable topics must be new (dev2, written before this rule, asks about four near topics the
# finetune list holds; it is tuned on, so its abstention is a dev number anyway)
FRESH_TOPIC_SETS = ("test2", "test3", "test4", "test5", "test6", "test7")


@pytest.mark.parametrize("fresh", FRESH_TOPIC_SETS)
def test_fresh_unanswerable_topics_are_new(fresh: str) -> None:
    """A fresh set's abstentions measure topics nobody has tuned on: none of its unanswerable rows' absent_terms
    occurs in an earlier set's unanswerable row, nor in the finetune pipeline's near-topic list (what the
    adapter is trained to refuse), and its questions name none of those near topics."""
    path, earlier = EARLIER_SETS[fresh]
    theirs = [
        (other.name, row["id"], _unanswerable_text(row))
        for other in earlier
        for row in _rows(other)
        if row["kind"] == "unanswerable"
    ]
    near_terms = [term.lower() for terms in NEAR_TOPICS for term in terms]
    shared: dict[str, list[str]] = {}
    for row in _rows(path):
        if row["kind"] != "unanswerable":
            continue
        for term in row.get("absent_terms", []):
            t = term.lower()
            shared[row["id"]] = shared.get(row["id"], []) + [
                f"{term!r} in {name}:{qid}" for name, qid, text in theirs if t in text
            ]
            shared[row["id"]] += [f"{term!r} in near topic {near!r}" for near in near_terms if t in near or near in t]
        shared[row["id"]] += [f"near topic {terms[0]!r}" for terms in NEAR_TOPICS if mentions(row["question"], terms)]
    shared = {qid: hits for qid, hits in shared.items() if hits}
    assert not shared, f"{path.name} unanswerable rows on topics asked or trained on before: {shared}"


def test_every_notes_set_is_listed_and_kept_out_of_training() -> None:
    """Every eval/datasets/notes_*.jsonl is in core.datasets.NOTES_SETS, which the finetune pipeline keeps out of its
    training data and refusal topics (review3 P2-2: dev2 and test2 were missing from its list)."""
    on_disk = set(DATASETS_DIR.glob("notes_*.jsonl"))
    assert on_disk, f"no notes sets in {DATASETS_DIR}"
    assert on_disk <= set(NOTES_SETS), f"notes sets not listed in core/datasets.py: {sorted(on_disk - set(NOTES_SETS))}"
    assert set(EVAL_SETS) == set(NOTES_SETS)
    assert inspect.signature(prepare_data).parameters["eval_sets"].default == NOTES_SETS


def test_training_questions_exclude_every_notes_set() -> None:
    """The questions the pipeline keeps out of training are every question of every notes set, test7's included."""
    kept_out = set(load_eval_questions(*EVAL_SETS))
    every = {row["question"] for path in DATASETS_DIR.glob("notes_*.jsonl") for row in _rows(path)}
    assert every <= kept_out, f"{len(every - kept_out)} questions of the notes sets not kept out of training"
