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

from models.adapters import ADAPTERS_DIR, next_version_dir, promote
from models.finetune.data import (
    DataConfig,
    build_dataset,
    load_eval_questions,
    read_jsonl,
    seeds_from_notes,
    write_jsonl,
)
from models.finetune.retrieval import make_retriever
from models.finetune.train import TrainConfig, train_lora

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "artifacts" / "finetune"
EVAL_QUESTIONS = REPO_ROOT / "eval" / "datasets" / "notes_dev.jsonl"


def prepare_data(
    notes_dir: Path,
    data_cfg: DataConfig,
    *,
    retriever: str = "auto",
    index_dir: Path | None = None,
    out_dir: Path = DATA_DIR,
    eval_questions_path: Path = EVAL_QUESTIONS,
) -> dict[str, Any]:
    """Build and write train.jsonl / heldout.jsonl; returns what was built, for the reports."""
    used, retrieve = make_retriever(retriever, notes_dir, index_dir)
    eval_questions = load_eval_questions(eval_questions_path)
    dataset = build_dataset(
        seeds_from_notes(notes_dir, data_cfg.max_answer_words), retrieve, data_cfg, eval_questions=eval_questions
    )
    write_jsonl(dataset.train, out_dir / "train.jsonl")
    write_jsonl(dataset.heldout, out_dir / "heldout.jsonl")
    info = {
        "retriever": used,
        "data_config": asdict(data_cfg),
        "eval_questions_checked": len(eval_questions),
        "stats": dataset.stats(),
        "excluded_questions": dataset.excluded,
    }
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
