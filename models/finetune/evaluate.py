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


def compare(heldout: Sequence[Example], generators: dict[str, Any], *, max_tokens: int = 96) -> dict[str, Any]:
    """Generate with each model ({"base": ..., "tuned": ..., other adapters by name}) and score them;
    `tuned_beats_base` is per headline metric."""
    outputs = {}
    for label, generator in generators.items():
        t0 = time.perf_counter()
        answers = generate_all(generator, heldout, max_tokens)
        outputs[label] = (generator.name, answers, time.perf_counter() - t0)
    return report_from_answers(heldout, outputs)


def report_from_answers(
    heldout: Sequence[Example], outputs: dict[str, tuple[str, Sequence[str], float]]
) -> dict[str, Any]:
    """Score {"base"|"tuned"|adapter name: (generator name, answers, seconds)} into the report dict."""
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
    for i, ex in enumerate(heldout[:8]):
        sample = {"question": ex.question, "kind": ex.kind, "reference": ex.answer}
        report["samples"].append(sample | {label: answers[i] for label, (_, answers, _) in outputs.items()})
    return report


def markdown(report: dict[str, Any]) -> str:
    """The headline table (README and finetune_eval.md share it): base, the tuned adapter, any others."""
    models = report["models"]
    base, tuned = models["base"], models["tuned"]
    names = {
        "rouge_l": "ROUGE-L (F)",
        "bleu": "BLEU",
        "citation_share": "answers citing a given source",
        "refusal_accuracy": "refusal accuracy (unanswerable)",
        "gold_citation_share": "cites the gold source",
        "false_refusal_rate": "false refusals (answerable)",
    }
    others = [label for label in models if label not in ("base", "tuned")]
    header = ["metric", "base", f"LoRA-tuned ({report.get('adapter', 'tuned')})", *others, "tuned better"]
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 2) + " :---: |"]
    for key in names:
        fmt = "{:.1f}" if key == "bleu" else "{:.3f}"
        better = report["tuned_beats_base"].get(key)
        cells = [fmt.format(models[label][key]) for label in ("base", "tuned", *others)]
        verdict = "" if better is None else ("yes" if better else "NO")
        lines.append(f"| {names[key]} | " + " | ".join(cells) + f" | {verdict} |")
    verdict = (
        "The tuned adapter beats the base model on all four headline metrics."
        if report["all_better"]
        else "The tuned adapter does NOT beat the base model on every headline metric (see the NO rows)."
    )
    extra = (
        f"Held-out split: {report['n_answerable']} answerable and {report['n_unanswerable']} unanswerable "
        f"questions; greedy decoding with llama.cpp (`{tuned['generator']}` vs `{base['generator']}`)."
    )
    if not report.get("heldout_matches_training_split", True):
        extra += " This split is not the one the adapter was trained with (its data was rebuilt differently)."
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
