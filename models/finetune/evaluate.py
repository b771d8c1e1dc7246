"""Base vs LoRA-tuned answers on the held-out split, scored four ways.

ROUGE-L and BLEU compare answer text with the reference (citation markers stripped from both) on
answerable questions; citation share is the fraction of answerable answers whose [n] markers all point
at a given source (and there is at least one); refusal accuracy is the fraction of unanswerable
questions answered with exactly the refusal sentence.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.text import cited_numbers, strip_markers
from models.finetune.data import Example
from models.prompts import REFUSAL, is_refusal

HEADLINE = ("rouge_l", "bleu", "citation_share", "refusal_accuracy")


def without_markers(text: str) -> str:
    return " ".join(strip_markers(text)[0].split())


def score(examples: Sequence[Example], answers: Sequence[str]) -> dict[str, float]:
    """The four headline metrics plus two diagnostics, over parallel examples and answers."""
    import sacrebleu
    from rouge_score import rouge_scorer

    answerable = [(ex, a) for ex, a in zip(examples, answers, strict=True) if ex.kind == "answerable"]
    unanswerable = [(ex, a) for ex, a in zip(examples, answers, strict=True) if ex.kind == "unanswerable"]
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    hyps = [without_markers(a) for _, a in answerable]
    refs = [without_markers(ex.answer) for ex, _ in answerable]
    rouge = [scorer.score(r, h)["rougeL"].fmeasure for r, h in zip(refs, hyps, strict=True)]

    def valid(ex: Example, answer: str) -> bool:
        cited = cited_numbers(answer)
        return bool(cited) and all(1 <= n <= len(ex.sources) for n in cited)

    def share(rows: Sequence[tuple[Example, str]], ok) -> float:
        return sum(ok(ex, a) for ex, a in rows) / len(rows) if rows else float("nan")

    return {
        "rouge_l": sum(rouge) / len(rouge) if rouge else float("nan"),
        "bleu": sacrebleu.corpus_bleu(hyps, [refs]).score if hyps else float("nan"),
        "citation_share": share(answerable, valid),
        "refusal_accuracy": share(unanswerable, lambda ex, a: is_refusal(a)),
        "gold_citation_share": share(answerable, lambda ex, a: ex.gold in cited_numbers(a)),
        "false_refusal_rate": share(answerable, lambda ex, a: is_refusal(a)),
    }


def generate_all(generator: Any, examples: Sequence[Example], max_tokens: int) -> list[str]:
    return [generator.generate(ex.messages(), max_tokens=max_tokens).strip() for ex in examples]


def compare(heldout: Sequence[Example], base: Any, tuned: Any, *, max_tokens: int = 96) -> dict[str, Any]:
    """Generate with both models and score them; `tuned_beats_base` is per headline metric."""
    outputs = {}
    for label, generator in (("base", base), ("tuned", tuned)):
        t0 = time.perf_counter()
        answers = generate_all(generator, heldout, max_tokens)
        outputs[label] = (generator.name, answers, time.perf_counter() - t0)
    return report_from_answers(heldout, outputs)


def report_from_answers(
    heldout: Sequence[Example], outputs: dict[str, tuple[str, Sequence[str], float]]
) -> dict[str, Any]:
    """Score {"base"|"tuned": (generator name, answers, seconds)} into the report dict."""
    report: dict[str, Any] = {
        "n_examples": len(heldout),
        "n_answerable": sum(ex.kind == "answerable" for ex in heldout),
        "n_unanswerable": sum(ex.kind == "unanswerable" for ex in heldout),
        "refusal": REFUSAL,
        "models": {},
        "samples": [],
    }
    for label, (name, answers, seconds) in outputs.items():
        report["models"][label] = {"generator": name, **score(heldout, answers), "seconds": round(seconds, 1)}
    report["tuned_beats_base"] = {m: report["models"]["tuned"][m] > report["models"]["base"][m] for m in HEADLINE}
    report["all_better"] = all(report["tuned_beats_base"].values())
    for ex, b, t in list(zip(heldout, outputs["base"][1], outputs["tuned"][1], strict=True))[:6]:
        report["samples"].append(
            {"question": ex.question, "kind": ex.kind, "reference": ex.answer, "base": b, "tuned": t}
        )
    return report


def markdown(report: dict[str, Any]) -> str:
    """The headline table (README and finetune_eval.md share it)."""
    base, tuned = report["models"]["base"], report["models"]["tuned"]
    names = {
        "rouge_l": "ROUGE-L (F)",
        "bleu": "BLEU",
        "citation_share": "answers citing a given source",
        "refusal_accuracy": "refusal accuracy (unanswerable)",
    }
    lines = ["| metric | base | LoRA-tuned | better |", "| --- | ---: | ---: | :---: |"]
    for key in HEADLINE:
        fmt = "{:.1f}" if key == "bleu" else "{:.3f}"
        lines.append(
            f"| {names[key]} | {fmt.format(base[key])} | {fmt.format(tuned[key])} | "
            f"{'yes' if report['tuned_beats_base'][key] else 'NO'} |"
        )
    verdict = (
        "The tuned adapter beats the base model on all four metrics."
        if report["all_better"]
        else "The tuned adapter does NOT beat the base model on every metric (see the NO rows)."
    )
    extra = (
        f"Held-out split: {report['n_answerable']} answerable and {report['n_unanswerable']} unanswerable "
        f"questions; greedy decoding with llama.cpp (`{tuned['generator']}` vs `{base['generator']}`). "
        f"Diagnostics: cites the gold source {base['gold_citation_share']:.3f} -> "
        f"{tuned['gold_citation_share']:.3f}; false refusals {base['false_refusal_rate']:.3f} -> "
        f"{tuned['false_refusal_rate']:.3f}."
    )
    if trained := report.get("training"):
        extra += (
            f" The adapter ({report.get('adapter')}) was trained on {trained['device']} "
            f"({trained['host']['torch_threads']} torch threads): {trained['examples']} examples, "
            f"{trained['steps']} steps at {trained['s_per_step']} s/step, {trained['train_s'] / 60:.1f} min."
        )
    return "\n".join(lines) + f"\n\n{verdict} {extra}\n"


def write_report(report: dict[str, Any], json_path: Path, md_path: Path, extra_md: str = "") -> None:
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text("# Fine-tuning evaluation: base vs LoRA-tuned\n\n" + markdown(report) + extra_md)
