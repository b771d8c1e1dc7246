"""PNG plots of a report: metric bars per system, and the per-question latency distributions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only; no display on a server or in CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from eval.systems import SYSTEMS  # noqa: E402

BAR_METRICS = ("mrr@10", "ndcg@10", "recall@1", "recall@5", "recall@10")


def metric_bars(report: dict[str, Any], path: Path) -> None:
    """Grouped bars: one group per retrieval metric, one bar per system."""
    systems = {n: s for n, s in report["systems"].items() if _is_retrieval(n)} or report["systems"]
    names = list(systems)
    x = np.arange(len(BAR_METRICS))
    width = 0.8 / max(1, len(names))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, name in enumerate(names):
        values = [systems[name]["retrieval"][m] for m in BAR_METRICS]
        ax.bar(x + (i - (len(names) - 1) / 2) * width, values, width, label=name)
    ax.set_xticks(x, BAR_METRICS)
    ax.set_ylim(0, 1)
    ax.set_ylabel("score (higher is better)")
    ax.set_title(f"Retrieval on {report['n_questions']} questions")
    ax.legend(fontsize=8, ncol=min(3, len(names)))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def latency_plot(run: Any, path: Path) -> None:
    """Box plots of per-question retrieval latency per system, and answer latency where measured."""
    series = {f"{n} retrieval": list(sr.retrieval_ms.values()) for n, sr in run.systems.items() if _is_retrieval(n)}
    if not series:  # only answer systems: show the retrieval they share once
        series = {f"{n} retrieval": list(sr.retrieval_ms.values()) for n, sr in list(run.systems.items())[:1]}
    series |= {f"{n} answer": list(sr.answer_ms.values()) for n, sr in run.systems.items() if sr.answer_ms}
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(series) + 1.5))
    if series:
        ax.boxplot(list(series.values()), orientation="horizontal", tick_labels=list(series))
        ax.set_xscale("log")
    ax.set_xlabel("milliseconds per question (log scale)")
    ax.set_title("Latency distribution")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _is_retrieval(name: str) -> bool:
    """Answer systems reuse hybrid+merge's hits, so only retrieval systems get their own bars."""
    return SYSTEMS[name].retrieval == name
