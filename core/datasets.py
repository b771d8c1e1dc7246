"""The hand-written question sets over the first user's notes, in the order they were written.

One home for the list, so that every place that must keep them apart reads the same one: the finetune pipeline
keeps every question of every set out of its training data (and never trains a refusal for a topic they ask
about), eval reports the held-out set, and the held-out checks compare each set with the ones written before
it. Models import this (never eval), so it lives in core. A new notes_*.jsonl goes here too
(tests/eval/test_heldout_set.py fails until it does).
"""

from __future__ import annotations

from pathlib import Path

from core.settings import REPO_ROOT

DATASETS_DIR = REPO_ROOT / "eval" / "datasets"

NOTES_DEV = DATASETS_DIR / "notes_dev.jsonl"  # tuned on for many sessions: a regression set
NOTES_TEST = DATASETS_DIR / "notes_test.jsonl"  # held out: final numbers only
NOTES_DEV2 = DATASETS_DIR / "notes_dev2.jsonl"  # the dev set to tune on
# read once at a07d450 (its never-seen numbers); a dev set from session 14 on: tuned on
NOTES_TEST2 = DATASETS_DIR / "notes_test2.jsonl"
# written 2026-12-01 session 14, run once at its end; its failures were read in session 15: a dev set since
NOTES_TEST3 = DATASETS_DIR / "notes_test3.jsonl"
# written and run once 2026-12-02 (session 15); its answers were read in session 16's analysis, and nothing was kept
# from it (docs/HISTORY.md): a dev set since (session 17 swept the abstain threshold on it)
NOTES_TEST4 = DATASETS_DIR / "notes_test4.jsonl"
# written 2026-12-02 (session 16), read once in session 17 after its changes (ingest batching, bfloat16 weights, the
# abstain threshold); its failures were read in session 18: a dev set since
NOTES_TEST5 = DATASETS_DIR / "notes_test5.jsonl"
# written 2026-12-02 (session 17) by hand, read once in session 18 after its changes (citations in running text, code
# questions); its failures were read in session 19: a dev set since
NOTES_TEST6 = DATASETS_DIR / "notes_test6.jsonl"
# written 2026-12-02 (session 18) by hand, read once in session 19 after its changes (reference docstrings, a ToC
# running on into the next line): the held-out numbers README shows
NOTES_TEST7 = DATASETS_DIR / "notes_test7.jsonl"

# every notes question set, oldest first
NOTES_SETS: tuple[Path, ...] = (
    NOTES_DEV,
    NOTES_TEST,
    NOTES_DEV2,
    NOTES_TEST2,
    NOTES_TEST3,
    NOTES_TEST4,
    NOTES_TEST5,
    NOTES_TEST6,
    NOTES_TEST7,
)
# the held-out set whose numbers README shows: the last one read
HELD_OUT = NOTES_TEST7


def written_before(path: Path) -> tuple[Path, ...]:
    """The notes sets written before `path`: the ones a fresh set must not repeat."""
    return NOTES_SETS[: NOTES_SETS.index(path)]
