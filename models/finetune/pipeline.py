"""`notecite finetune` end to end: build the examples, train, convert, optionally promote and evaluate.

The examples are written to artifacts/finetune/ (they quote the notes, so they stay out of git); the
adapter folder gets only weights and reports.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.datasets import NOTES_SETS
from core.settings import Settings
from models.adapters import ADAPTERS_DIR, next_version_dir, promote
from models.finetune.data import DataConfig, build_dataset, load_eval_questions, read_jsonl, write_jsonl
from models.finetune.retrieval import notes_index
from models.finetune.seeds import seeds_from_passages
from models.finetune.train import TrainConfig, train_lora
from models.finetune.unanswerable import absent_topics

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "artifacts" / "finetune"
# every question of every notes set is kept out of training, and no refusal is trained for a topic they ask about
EVAL_SETS = NOTES_SETS


def prepare_data(
    notes_dir: Path,
    data_cfg: DataConfig,
    *,
    out_dir: Path = DATA_DIR,
    eval_sets: tuple[Path, ...] = EVAL_SETS,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Ingest the notes into a temporary index, build train.jsonl / heldout.jsonl from its passages with
    its retriever, and write them; returns what was built, for the reports."""
    eval_questions = load_eval_questions(*eval_sets)
    with notes_index(notes_dir, settings) as index:
        seeds = seeds_from_passages(
            index.passages(), min_words=data_cfg.min_answer_words, max_words=data_cfg.max_answer_words
        )
        topics = absent_topics(index.note_texts(), eval_questions)
        dataset = build_dataset(
            seeds, index.retrieve, data_cfg, eval_questions=eval_questions, refusal_topics=topics.kept
        )
        ingested = index.summary
    write_jsonl(dataset.train, out_dir / "train.jsonl")
    write_jsonl(dataset.heldout, out_dir / "heldout.jsonl")
    info = {
        "retriever": "index",  # the service's hybrid retriever over a temporary ingest of the notes
        "ingest": ingested,
        "data_config": asdict(data_cfg),
        "seeds": {o: sum(s.origin == o for s in seeds) for o in ("flashcard", "title", "definition")},
        "eval_questions_checked": len(eval_questions),
        "eval_sets": [p.name for p in eval_sets if p.is_file()],
        "refusal_topics": {"kept": len(topics.kept), "in_notes": topics.in_notes, "in_eval": topics.in_eval},
        "stats": dataset.stats(),
        "excluded_questions": dataset.excluded,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "data_info.json").write_text(json.dumps(info, indent=2) + "\n")
    return info


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_finetune(
    train_cfg: TrainConfig,
    *,
    data_dir: Path = DATA_DIR,
    adapters_root: Path = ADAPTERS_DIR,
    make_default: bool = False,
    progress: bool = True,
) -> tuple[Path, dict[str, Any]]:
    """Train on data_dir/train.jsonl into the next versioned folder; returns (folder, report)."""
    train = read_jsonl(data_dir / "train.jsonl")
    out_dir = next_version_dir(train_cfg.base_model, adapters_root)
    report = train_lora(train, train_cfg, out_dir, progress=progress)
    info_path = data_dir / "data_info.json"
    report["data"] = json.loads(info_path.read_text()) if info_path.is_file() else {}
    report["data"]["train_sha256"] = file_sha256(data_dir / "train.jsonl")
    report["data"]["heldout_sha256"] = file_sha256(data_dir / "heldout.jsonl")
    (out_dir / "train_report.json").write_text(json.dumps(report, indent=2) + "\n")
    if make_default:
        promote(out_dir, train_cfg.base_model, adapters_root)
    return out_dir, report
