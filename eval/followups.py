"""Follow-up questions: how well each rewrite turns a question that leans on earlier turns into a query.

"how is it merged at inference time?" after "what is LoRA?" finds nothing alone; the service rewrites it
(service.conversation.rewrite_query) before retrieval. This scores the rewrite on hand-written conversations
over the notes: retrieval (MRR@10, recall@5, by eval.scoring's span rule) of the follow-up alone, of the
rule the service had before (the whole last user turn prefixed: `last_turn_rewrite`, kept here as the
baseline), and of the service's rewrite now; with --answers, the share of answers citing a gold passage.

Dataset format (eval/datasets/followups_*.jsonl), one follow-up turn a line: the fields of a question set
(id, question, kind, reference_answer, relevant [{doc, quote}]; ../shared/DESIGN.md) plus
  history      earlier turns, oldest first: [{role: "user" | "assistant", content}], the assistant's answers
               optional (as the quoting writer would give them)
  conversation the conversation's id (its turns share it)
  leans_on     what the question needs from earlier turns: "question" (the last user turn), "conversation"
               (a topic set turns before), "answer" (a subject only the last answer named), "none" (it
               stands alone: a change of topic, or a question naming its own topic)

    python -m eval.followups --dataset eval/datasets/followups_dev.jsonl [--answers] [--out report.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval import metrics as m
from eval import scoring
from eval.dataset import DatasetError, Question, _parse_line, check_quotes

LEANS_ON = ("question", "conversation", "answer", "none")
History = Sequence[dict[str, Any]]
Rewrite = Callable[[str, History], str]


@dataclass(frozen=True)
class FollowUp:
    """One follow-up turn: the question (with its gold) and the conversation before it."""

    question: Question
    history: tuple[dict[str, str], ...]
    conversation: str
    leans_on: str


def _history(path: Path, line: int, raw: Any) -> tuple[dict[str, str], ...]:
    if not isinstance(raw, list) or not raw:
        raise DatasetError(f"{path}:{line}: 'history' must be a non-empty list of {{role, content}}")
    for i, turn in enumerate(raw):
        ok = (
            isinstance(turn, dict)
            and turn.get("role") in ("user", "assistant")
            and isinstance(turn.get("content"), str)
        )
        if not ok:
            raise DatasetError(f"{path}:{line}: history[{i}] must be {{role: user|assistant, content: string}}")
    return tuple({"role": t["role"], "content": t["content"]} for t in raw)


def load_followups(path: Path, notes_dir: Path | None = None) -> list[FollowUp]:
    """Parse and check every line (and, with `notes_dir`, every gold quote); DatasetError names the line."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset file")
    out: list[FollowUp] = []
    seen: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        question = _parse_line(path, number, raw)  # the question-set fields, by the question sets' own rule
        obj = json.loads(raw)
        if question.id in seen:
            raise DatasetError(f"{path}:{number}: id {question.id!r} is used twice")
        seen.add(question.id)
        if obj.get("leans_on") not in LEANS_ON:
            raise DatasetError(f"{path}:{number}: 'leans_on' must be one of {', '.join(LEANS_ON)}")
        if not isinstance(obj.get("conversation"), str) or not obj["conversation"]:
            raise DatasetError(f"{path}:{number}: 'conversation' must be a non-empty string")
        out.append(FollowUp(question, _history(path, number, obj.get("history")), obj["conversation"], obj["leans_on"]))
    if not out:
        raise DatasetError(f"{path}: the dataset has no follow-ups")
    if notes_dir is not None:
        check_quotes([f.question for f in out], Path(notes_dir), path)
    return out


def alone(question: str, history: History) -> str:
    """No rewrite: what retrieval gets without the conversation."""
    return question


def last_turn_rewrite(question: str, history: History) -> str:
    """The service's rule before measured rewriting (kept as the baseline): a question that starts like a
    continuation, or leans on a pronoun with at most 3 topic words, is prefixed by the whole last user turn."""
    import re

    from core.text import content_words

    start = re.compile(r"^\s*(and|but|so|also|then|what about|how about|why|and why|what else)\b", re.I)
    pronoun = re.compile(r"\b(it|its|it's|this|that|these|those|they|them|their|one|ones|the same)\b", re.I)
    previous = [t.get("content", "") for t in history if t.get("role") == "user" and t.get("content")]
    topic = [w for w in content_words(question) if len(w) > 3 and not w.isdigit()]
    if not previous or not (start.match(question) or (pronoun.search(question) and len(topic) <= 3)):
        return question
    return f"{previous[-1].strip()} {question.strip()}"


@dataclass
class RewriteRun:
    """What one rewrite did on every follow-up: its queries, their hits, the answers when asked for."""

    name: str
    queries: dict[str, str]
    hits: dict[str, list[Any]]
    answers: dict[str, Any]


def score(followups: Sequence[FollowUp], run: RewriteRun, gold: Mapping[str, scoring.Gold]) -> dict[str, Any]:
    """MRR@10 and recall@5 over all follow-ups and per `leans_on`; gold_cited when answers were written."""
    questions = [f.question for f in followups]
    retrieval = scoring.score_retrieval(questions, run.hits, gold)
    n_gold = {q.id: len(q.relevant) for q in questions}

    def summary(ids: Sequence[str]) -> dict[str, float]:
        covers = {i: retrieval.covers[i] for i in ids}
        return {
            "n": len(ids),
            "mrr@10": round(m.mrr_at_k(covers, 10), 3),
            "recall@5": round(m.recall_at_k(covers, {i: n_gold[i] for i in ids}, 5), 3),
        }

    out: dict[str, Any] = {"all": summary([q.id for q in questions])}
    for leans in LEANS_ON:
        ids = [f.question.id for f in followups if f.leans_on == leans]
        if ids:
            out[leans] = summary(ids)
    if run.answers:
        answered = {q.id: scoring.gold_flags(run.answers[q.id], gold[q.id]) for q in questions}
        given = {i: flags for i, flags in answered.items() if not run.answers[i].abstained}
        out["answers"] = {
            "gold_cited": m.gold_cited(given),
            "abstained": m.share([run.answers[q.id].abstained for q in questions]),
        }
    out["first_rank"] = {q.id: m.first_relevant_rank(retrieval.covers[q.id], 10) for q in questions}
    return out


def rewrites() -> dict[str, Rewrite | None]:
    """The rewrites compared; None is the service's own (`AnswerPipeline.rewrite`, with the notes' terms)."""
    return {"alone": alone, "last-turn": last_turn_rewrite, "service": None}


def run_followups(dataset: Path, notes_dir: Path, *, with_answers: bool = False, log=print) -> dict[str, Any]:
    """Index the notes in a temporary dir, run every rewrite on every follow-up, score them."""
    from core.settings import get_settings
    from ingest.pipeline import corpus_roots, ingest_corpus, ingest_options
    from ingest.store import open_index
    from models.embedder import embedder_for
    from retrieval.retriever import Retriever
    from service.answer import AnswerPipeline

    followups = load_followups(dataset, notes_dir)
    settings = get_settings()
    embedder = embedder_for(settings)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="notecite-followups-") as tmp:
        corpus = settings.with_overrides(notes_dir=Path(notes_dir), upload_dir=Path(tmp) / "no-uploads")
        corpus = corpus.model_copy(update={"code_dir": None})
        report = ingest_corpus(corpus_roots(corpus), Path(tmp) / "index", embedder, **ingest_options(settings))
        log(f"indexed: {report.summary()}")
        reader = open_index(Path(tmp) / "index")
        try:
            gold = scoring.gold_spans([f.question for f in followups], reader.source_text)
            retriever = Retriever(reader, embedder, settings.retrieval)
            for name, rewrite in rewrites().items():
                pipeline = AnswerPipeline(retriever, embedder, settings.answer)
                if rewrite is not None:
                    pipeline.rewrite = rewrite  # type: ignore[method-assign]
                run = RewriteRun(name, {}, {}, {})
                for f in followups:
                    qid, history = f.question.id, list(f.history)
                    run.queries[qid] = pipeline.query_for(f.question.question, history)
                    run.hits[qid] = retriever.retrieve(run.queries[qid], k=scoring.K, kind="note")
                    if with_answers:
                        run.answers[qid] = pipeline.answer(f.question.question, history)
                results[name] = {"scores": score(followups, run, gold), "queries": run.queries}
                log(f"{name}: {json.dumps({k: v for k, v in results[name]['scores'].items() if k != 'first_rank'})}")
        finally:
            reader.close()
    return {"dataset": str(dataset), "followups": len(followups), "rewrites": results}


def table(result: Mapping[str, Any]) -> str:
    """A Markdown table: one row per rewrite, MRR@10 / recall@5 over all follow-ups and per `leans_on`."""
    groups = ["all", *LEANS_ON]
    head = "| rewrite | " + " | ".join(groups) + " | gold_cited |"
    lines = [head, "|" + "---|" * (len(groups) + 2)]
    for name, r in result["rewrites"].items():
        s = r["scores"]
        cells = [f"{s[g]['mrr@10']:.3f} / {s[g]['recall@5']:.3f} (n={s[g]['n']})" if g in s else "-" for g in groups]
        cited = s.get("answers", {}).get("gold_cited")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {'-' if cited is None else f'{cited:.3f}'} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.followups", description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True, help="followups_*.jsonl")
    parser.add_argument("--notes", type=Path, default=None, help="notes dir its docs live in (NOTES_DIR)")
    parser.add_argument("--answers", action="store_true", help="also write answers and score gold_cited")
    parser.add_argument("--out", type=Path, default=None, help="write the full result (queries, ranks) here")
    args = parser.parse_args(argv)
    from core.settings import get_settings

    notes = args.notes or get_settings().notes_dir
    try:
        result = run_followups(args.dataset, notes, with_answers=args.answers, log=lambda s: print(s, file=sys.stderr))
    except (DatasetError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.out:
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
