"""Shared test setup: offline hubs, the user's notes, and one index built once per session."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTES_DIR = REPO_ROOT.parent / "shared" / "notes"


@pytest.fixture(scope="session")
def notes_dir() -> Path:
    assert NOTES_DIR.is_dir(), f"the user's notes are expected at {NOTES_DIR}"
    return NOTES_DIR
