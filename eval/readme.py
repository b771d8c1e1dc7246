"""Keep README's evaluation section in step with the committed report.

The section sits between `<!-- eval-report -->` and `<!-- /eval-report -->`, so regenerating it replaces
exactly those lines and nothing another section owns.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from core.datasets import HELD_OUT as HELD_OUT_SET
from core.settings import REPO_ROOT
from eval.report import ORACLE, summary_tables

START, END = "<!-- eval-report -->", "<!-- /eval-report -->"
ANSWER_ROWS = ("hybrid+merge", "hybrid+merge+tuned", "hybrid+merge+base", "hybrid+merge+extractive")
# written by hand, never tuned on (core.datasets lists every notes set)
HELD_OUT = HELD_OUT_SET.relative_to(REPO_ROOT).as_posix()
REGENERATE = f"notecite eval --dataset {HELD_OUT} --readme README.md"


def readme_section(report: dict[str, Any], report_dir: str) -> str:
    sweep = report.get("abstain_threshold") or {}
    lines = [
        START,
        "## Evaluation",
        "",
        "`notecite eval` runs every retrieval and answer system on the same questions over one temporary",
        "index of a notes dir and writes `report.json`, `report.md` (with each question a system got wrong",
        "and what it retrieved) and plots. Latest numbers on the held-out test set",
        f"(`{report['dataset']}`, {report['n_questions']} questions written by hand in a user's words and never",
        f"tuned on; full report: [{report_dir}/report.md]({report_dir}/report.md)),",
        f"regenerated with `{REGENERATE}`:",
        "",
        *summary_tables(report),
        "",
        "Retrieval: top 10 note hits; a hit is relevant when it covers at least half of a gold quote.",
        "Reading cost: characters read down the ranking to the first relevant hit. `llamaindex` is",
        "llama-index's default VectorStoreIndex over SentenceSplitter with the same embedder. Answers cover",
        "the `answered` questions (kinds taking turns). Latencies come from a shared 2-core CPU.",
        "`token_f1` and `exact_match` are SQuAD's (lowercased, punctuation and a/an/the dropped). A citation is",
        "gold when one of its spans (each sentence it quoted, or the whole passage) shares at least half of the",
        "shorter span with a gold quote: `gold_cited` is the share of",
        "answered fact questions citing a gold passage, `citation_gold_precision` the share of cited note passages",
        f"that are gold. `{ORACLE}` scores the gold quote itself as the answer: the ceiling of quoting.",
        "Answer rows: `hybrid+merge` is the model writer (`NOTECITE_GENERATOR=llamacpp`: the LoRA-tuned model",
        "behind the guard; `replaced` is the share of its answers the guard swapped for quotes), `+tuned` the same",
        "model unguarded, `+base` the untuned model, `+extractive` the quoting writer alone: the service's default",
        f"(`NOTECITE_GENERATOR=none`){default_writer_reason(report['systems'])}.",
    ]
    missing = [name for name in ANSWER_ROWS if name not in report["systems"]]
    if missing:
        absent = ", ".join(f"`{n}`" for n in missing)
        lines.append(f"Not in this run (`--systems`): {absent}; `make eval` runs them all.")
    if sweep:
        lines += [
            "",
            f"Abstain threshold (the service's rule, swept on these questions): best **{sweep['chosen']}** "
            f"(abstention accuracy {sweep['abstention_accuracy']:.3f}, false-abstain rate "
            f"{sweep['false_abstain_rate']:.3f}); the service's setting, chosen on the dev set, is "
            f"{sweep['current']} (accuracy {sweep['current_abstention_accuracy']:.3f} here).",
        ]
    return "\n".join(lines + [END])


def default_writer_reason(systems: dict[str, Any]) -> str:
    """Why the quoting writer is the default, in this run's own numbers: its ROUGE-L, gold citation and answer p50
    beside the guarded model's (empty when the run has not both)."""
    quoting, model = systems.get("hybrid+merge+extractive"), systems.get("hybrid+merge")
    if not (quoting and model and "answers" in quoting and "answers" in model):
        return ""
    q, m = quoting["answers"], model["answers"]
    q_ms, m_ms = quoting["latency_ms"]["answer_p50"], model["latency_ms"]["answer_p50"]
    speed = f", answering in {q_ms:.0f} ms against {m_ms:.0f} ms at the median" if q_ms and m_ms else ""
    return (
        f": here ROUGE-L {q['rougeL']:.3f} against the guarded model's {m['rougeL']:.3f}, gold cited "
        f"{q['gold_cited']:.3f} against {m['gold_cited']:.3f}{speed} (the guard swapped quotes in for "
        f"{m['replaced']:.0%} of the model's answers)"
    )


def replace_between(text: str, start: str, end: str, section: str) -> str | None:
    """`text` with the first start..end span (markers included) replaced by `section`; None when absent."""
    span = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    return span.sub(lambda _: section, text, count=1) if span.search(text) else None


def update_readme(readme: Path, report: dict[str, Any], report_dir: str) -> None:
    """Replace the section between the markers, or the lone start marker the skeleton has."""
    text = readme.read_text(encoding="utf-8")
    section = readme_section(report, report_dir)
    if (replaced := replace_between(text, START, END, section)) is not None:
        text = replaced
    elif START in text:
        text = text.replace(START, section, 1)
    else:
        raise ValueError(f"{readme} has no {START} marker to put the evaluation section at")
    readme.write_text(text, encoding="utf-8")


CORPORA_START, CORPORA_END = "<!-- corpora-report -->", "<!-- /corpora-report -->"


def corpora_section(runs: Any, report_dir: str) -> str:
    """Per-corpus retrieval tables (test halves: never tuned on) and the quoting writer's answers for README."""
    from eval.corpus_eval import answers_table, corpus_tables

    lines = [
        CORPORA_START,
        "### Retrieval on other people's notes",
        "",
        "The seed notes plus documentation other people wrote, fetched from Debian packages by",
        "`eval/corpora.py` (git-lfs's Markdown API docs, the Python 3.11 tutorial's and HOWTOs' reST sources,",
        "its FAQ as rendered HTML); each has hand-written questions split into a dev half (tuned on) and a test",
        "half (below; pyhowto's and pyfaq's dev halves were not tuned on either when first read). Regenerate with",
        f"`notecite eval --corpus all --out {report_dir} --readme README.md`; dev halves and the JSON are in",
        f"[{report_dir}/corpora.md]({report_dir}/corpora.md).",
        "`hybrid+merge` is the service's rule (passages shown, their section offered as context: a section",
        "replaced its passages only when that helped on every dev corpus, and no length limit did);",
        "`hybrid+sections` is AutoMergingRetriever's rule (a section of any length replaces most of its",
        "passages), kept to show what it costs. Reading cost counts the characters of what is shown.",
        "Latencies include embedding the query on a shared 2-core CPU: compare them within a table;",
        "`notecite bench retrieval` times on a quiet one.",
        "",
        *corpus_tables(runs, "test"),
    ]
    if any(run.answers for run in runs):
        lines += [
            "Answers of the quoting writer (the service's default) on every corpus, scored as above; "
            "`oracle_rougeL` is the gold quote's own score, the ceiling of quoting:",
            "",
            *answers_table(runs),
        ]
    return "\n".join([*lines, CORPORA_END])


def update_corpora_section(readme: Path, runs: Any, report_dir: str) -> None:
    """Replace the corpora section, or put it right after the evaluation section the first time."""
    text = readme.read_text(encoding="utf-8")
    section = corpora_section(runs, report_dir)
    if (replaced := replace_between(text, CORPORA_START, CORPORA_END, section)) is not None:
        text = replaced
    elif END in text:
        text = text.replace(END, END + "\n\n" + section, 1)
    else:
        raise ValueError(f"{readme} has no {END} marker to put the corpora section after")
    readme.write_text(text, encoding="utf-8")
