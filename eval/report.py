"""report.json (the shape other tools read) and report.md (tables, then each system's misses)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval import scoring
from eval.runner import EvalRun, SystemRun, p50, threshold_sweep
from eval.systems import DEFAULT_SYSTEM, SYSTEMS

RETRIEVAL_KEYS = ("mrr@10", "ndcg@10", "recall@1", "recall@5", "recall@10", "reading_cost_median")
ANSWER_KEYS = (
    "bleu", "rouge1", "rouge2", "rougeL", "token_f1", "exact_match", "abstention_accuracy", "false_abstain_rate",
    "gold_cited", "citation_gold_precision", "code_citation_rate", "degenerate", "replaced",
)  # fmt: skip
ORACLE = "oracle (gold quote)"  # the answer tables' ceiling row: the gold quote scored as the answer
SHOWN_MISSES = 3  # retrieved hits shown per missed question in report.md


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def system_block(run: EvalRun, sr: SystemRun) -> dict[str, Any]:
    retrieval = scoring.score_retrieval(run.questions, sr.hits, run.gold)
    block: dict[str, Any] = {
        "description": SYSTEMS[sr.name].description,
        "retrieval": {k: _round(v) for k, v in retrieval.summary.items()},
    }
    answered = [q for q in run.questions if q.id in sr.answers]
    if answered:
        scores = scoring.score_answers(answered, sr.answers, run.gold)
        block["answers"] = {k: _round(v) for k, v in scores.items()} | {"n_answered": len(answered)}
    block["ragas"] = {k: _round(v) for k, v in scoring.ragas_block(run.questions, sr.hits, sr.answers).items()}
    block["latency_ms"] = {
        "retrieval_p50": _round(p50(sr.retrieval_ms)),
        "answer_p50": _round(p50(sr.answer_ms)),
    }
    if sr.error:
        block["error"] = sr.error
    return block


def oracle_block(run: EvalRun) -> dict[str, Any] | None:
    """The gold quote scored as an answer on the questions the answer systems were asked (None when none
    was): the same text metrics as the systems, from the dataset alone; the other answer columns stay empty."""
    asked = {qid for sr in run.systems.values() for qid in sr.answers}
    questions = [q for q in run.questions if q.id in asked]
    if not questions:
        return None
    scores = scoring.score_oracle(questions)
    return {
        "name": ORACLE,
        "description": "each answerable question's gold quote (quotes joined) as its answer: the ceiling of quoting",
        "answers": {k: _round(v) for k, v in scores.items()} | {"n_answered": len(questions)},
    }


def question_record(run: EvalRun, q_index: int) -> dict[str, Any]:
    q = run.questions[q_index]
    per_system: dict[str, Any] = {}
    for name, sr in run.systems.items():
        entry: dict[str, Any] = {}
        if SYSTEMS[name].retrieval == name:
            hits = sr.hits[q.id][: scoring.K]
            covers = [sorted(scoring.m.covered_quotes(scoring.hit_span(h), run.gold[q.id])) for h in hits]
            entry["first_relevant_rank"] = next((i for i, c in enumerate(covers, start=1) if c), None)
            entry["reading_cost"] = scoring.m.reading_cost([frozenset(c) for c in covers], [len(h.text) for h in hits])
            entry["retrieved"] = [
                {"doc": h.doc, "start": h.start, "end": h.end, "score": round(h.score, 4), "covers": c}
                for h, c in zip(hits, covers, strict=True)
            ]
        if q.id in sr.answers:
            a = sr.answers[q.id]
            entry["answer"] = {
                "text": a.text,
                "abstained": a.abstained,
                "right_abstention": a.abstained == (q.kind == "unanswerable"),
                "citations": [
                    {
                        "n": c.n,
                        "kind": c.kind,
                        "doc": c.doc,
                        "start": c.start,
                        "end": c.end,
                        "spans": [[s.start, s.end] for s in c.spans],
                        "symbol": c.symbol,
                        "gold": scoring.is_gold(c, run.gold[q.id]) if c.kind == "note" else None,
                    }
                    for c in a.citations
                ],
            }
        per_system[name] = entry
    return {"id": q.id, "question": q.question, "kind": q.kind, "systems": per_system}


def build_report(run: EvalRun, dataset: Path) -> dict[str, Any]:
    names = list(run.systems)
    return {
        "n_questions": len(run.questions),
        "default_system": DEFAULT_SYSTEM if DEFAULT_SYSTEM in names else names[0],
        "dataset": str(dataset),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "k": scoring.K,
        "index_seconds": {k: round(v, 2) for k, v in run.index_seconds.items()},
        "systems": {name: system_block(run, sr) for name, sr in run.systems.items()},
        "oracle": oracle_block(run),
        "abstain_threshold": threshold_sweep(run),
        "questions": [question_record(run, i) for i in range(len(run.questions))],
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):  # scores in [0, 1] get 3 decimals; characters and milliseconds fewer
        return f"{value:.3f}" if abs(value) <= 1 else f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return lines


def summary_tables(report: dict[str, Any]) -> list[str]:
    """The tables the README shows: retrieval, then answers where they were generated."""
    systems = report["systems"]
    lines = _table(
        ["system", *RETRIEVAL_KEYS, "retrieval p50 ms"],
        [
            [n, *(s["retrieval"][k] for k in RETRIEVAL_KEYS), s["latency_ms"]["retrieval_p50"]]
            for n, s in systems.items()
        ],
    )
    with_answers = {n: s for n, s in systems.items() if "answers" in s}
    if with_answers:
        rows = [
            [n, s["answers"]["n_answered"], *(s["answers"][k] for k in ANSWER_KEYS), s["latency_ms"]["answer_p50"]]
            for n, s in with_answers.items()
        ]
        oracle = report.get("oracle")
        if oracle:
            answers = oracle["answers"]
            rows.append([oracle["name"], answers["n_answered"], *(answers.get(k) for k in ANSWER_KEYS), None])
        lines += [""] + _table(["system", "answered", *ANSWER_KEYS, "answer p50 ms"], rows)
    return lines


def _snippet(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return (flat[:width] + "...") if len(flat) > width else flat


def misses(report: dict[str, Any], run: EvalRun) -> list[str]:
    """Per system: answerable questions with nothing relevant in the top 10, and wrong abstentions."""
    lines: list[str] = []
    for name in report["systems"]:
        sr = run.systems[name]
        rows: list[str] = []
        for record, q in zip(report["questions"], run.questions, strict=True):
            entry = record["systems"][name]
            if q.relevant and "first_relevant_rank" in entry and entry["first_relevant_rank"] is None:
                rows.append(f"- **{q.id}** ({q.kind}) {q.question} — nothing relevant retrieved; top hits:")
                rows += [f"  - `{h.doc}` [{h.start}:{h.end}] {_snippet(h.text)}" for h in sr.hits[q.id][:SHOWN_MISSES]]
            answer = entry.get("answer")
            if answer and not answer["right_abstention"]:
                what = "abstained on an answerable question" if answer["abstained"] else "answered an unanswerable one"
                rows.append(f"- **{q.id}** ({q.kind}) {q.question} — {what}: {_snippet(answer['text'])}")
                rows += [f"  - retrieved `{h.doc}` [{h.start}:{h.end}] {_snippet(h.text)}" for h in sr.hits[q.id][:1]]
        lines += ["", f"### {name}: {sum(r.startswith('- ') for r in rows)} wrong", *(rows or ["- none"])]
    return lines


ANSWER_NOTES = (
    "Answer text metrics cover the answerable questions among those answered; token_f1 and exact_match are "
    "SQuAD's (lowercased, punctuation and a/an/the dropped, bag-of-tokens F1). A citation is gold when it is "
    "in a gold quote's doc and shares at least half of the shorter of the two spans with it: gold_cited is "
    "the share of answered (not abstained) fact questions citing a gold passage, citation_gold_precision the "
    f"share of all cited note passages that are gold. `{ORACLE}` scores each gold quote as the answer: the "
    "ceiling of answering by quoting the notes."
)


def to_markdown(report: dict[str, Any], run: EvalRun) -> str:
    lines = [
        "# notecite eval report",
        "",
        f"{report['n_questions']} questions from `{report['dataset']}`, generated {report['generated_at']}. "
        f"Retrieval metrics are over answerable questions, top {report['k']} note hits, relevance by span "
        f"overlap (a hit covers at least half of a gold quote). Reading cost: characters read down the "
        f"ranking to the first relevant hit (all {report['k']} when none). "
        "BLEU is sacrebleu's corpus BLEU scaled to 0-1. " + ANSWER_NOTES,
        "",
        "## Systems",
        "",
        *[f"- **{n}**: {s['description']}" + (f" (error: {s['error']})" if "error" in s else "")
          for n, s in report["systems"].items()],
        *([f"- **{o['name']}**: {o['description']}"] if (o := report.get("oracle")) else []),
        "",
        "## Results",
        "",
        *summary_tables(report),
        "",
        "## ragas non-LLM metrics",
        "",
        "Computed through ragas 0.4.3 (string similarity of whole contexts, so long chunks score low).",
        "",
        *_table(
            ["system", "context_precision", "context_recall", "bleu", "rougeL"],
            [[n, *(s["ragas"][k] for k in ("context_precision", "context_recall", "bleu", "rougeL"))]
             for n, s in report["systems"].items()],
        ),
    ]  # fmt: skip
    sweep = report.get("abstain_threshold")
    if sweep:
        lines += [
            "",
            "## Abstain threshold",
            "",
            f"Rule: {sweep['rule']}. Chosen on this set: **{sweep['chosen']}** (abstention accuracy "
            f"{sweep['abstention_accuracy']:.3f}, false-abstain rate {sweep['false_abstain_rate']:.3f}); "
            f"the current setting {sweep['current']} gives {sweep['current_abstention_accuracy']:.3f} / "
            f"{sweep['current_false_abstain_rate']:.3f}.",
        ]
    lines += [
        "",
        "## Plots",
        "",
        "![retrieval metrics](retrieval_metrics.png)",
        "",
        "![latency](latency.png)",
    ]
    lines += ["", "## Questions each system got wrong", *misses(report, run)]
    return "\n".join(lines) + "\n"


def to_json(report: dict[str, Any]) -> str:
    """Indented, except one line per question: readable diffs without a 10,000-line file."""
    head = {k: v for k, v in report.items() if k != "questions"}
    body = json.dumps(head, indent=1, ensure_ascii=False)[:-2]
    lines = ",\n  ".join(json.dumps(q, ensure_ascii=False) for q in report["questions"])
    return f'{body},\n "questions": [\n  {lines}\n ]\n}}\n'


def write_report(report: dict[str, Any], run: EvalRun, out: Path) -> list[Path]:
    from eval.plots import latency_plot, metric_bars

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.json", out / "report.md", out / "retrieval_metrics.png", out / "latency.png"]
    paths[0].write_text(to_json(report), encoding="utf-8")
    paths[1].write_text(to_markdown(report, run), encoding="utf-8")
    metric_bars(report, paths[2])
    latency_plot(run, paths[3])
    return paths
