"""The service's own ingest (start-up, uploads, the watcher) builds the generation the settings describe."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.embedder import load_embedder
from service.runtime import ingest
from tests.notes_settings import notes_settings

NOTES = {"attention.md": "# Attention\n\nQueries meet keys. Scores are softmaxed. Values are mixed by them.\n"}


@pytest.mark.parametrize(("window", "has_windows"), [(0, False), (2, True)])
def test_the_sentence_window_setting_reaches_the_service_ingest(tmp_path: Path, window: int, has_windows: bool) -> None:
    settings = notes_settings(tmp_path, NOTES, retrieval={"sentence_window": window})
    report = ingest(settings, load_embedder(settings.embedder))
    assert (report.sentence_windows > 0) == has_windows
