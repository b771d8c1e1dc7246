"""A generation's own embedder: the tuned model ingest stored with it, or the packaged one.

Queries must be embedded by the model that embedded the passages, so a tuned model lives inside its
generation (`generations/<id>/embedder/`), written before CURRENT moves (crash-safe like the rest of the
generation) and named in meta.json (`<base>+tuned-<digest>`). `IngestTuner` is ingest's hook: it tunes
after the packaged model has embedded the passages and keeps the tuned one only when it wins on
held-out pairs; a later ingest that changed few passages reuses it rather than training again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from core.settings import EmbedderTuningSettings, Settings
from models.embedder import EMBEDDERS, PROBES, Embedder, encoded, fast_path_for, load_embedder, query_path_for
from models.embedder_tuning import TuningResult, tune

log = logging.getLogger(__name__)

MODEL_DIR = "embedder"  # inside a generation's directory
RECORD = "embedder_tuning.json"  # the last tuning's verdict, carried forward while it still holds
TUNED = "+tuned-"


def is_tuned(name: str) -> bool:
    return TUNED in name


@lru_cache(maxsize=2)
def _load_tuned(model_dir: str, name: str, dim: int, onnx_dir: Path | None = None) -> Embedder:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_dir, device="cpu")
    reference = encoded(model, PROBES)
    fast = fast_path_for(model, PROBES, reference)
    # the same checked onnxruntime query path as the packaged model's; its export is named by the tuned weights
    query = query_path_for(model, onnx_dir, name, PROBES, reference) if fast is not None else None
    return Embedder(name, model, dim, fast, query)


def generation_embedder(gen_dir: Path, name: str, base: Embedder, *, onnx_dir: Path | None = None) -> Embedder:
    """The embedder that embedded generation `gen_dir` (meta.json's `name`): `base` when it is that one,
    the tuned model stored with the generation, or another packaged model. `onnx_dir`: where their
    onnxruntime query models are exported (`models.embedder.onnx_cache`; None: queries take the torch path)."""
    if name == base.name:
        return base
    if is_tuned(name):
        model_dir = Path(gen_dir) / MODEL_DIR
        if not model_dir.is_dir():
            raise FileNotFoundError(f"generation {Path(gen_dir).name} names {name} but holds no {MODEL_DIR}/")
        return _load_tuned(str(model_dir), name, base.dim, onnx_dir)
    return load_embedder(name, onnx_dir=onnx_dir)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _link_tree(src: Path, dest: Path) -> None:
    """Hard links where the file system allows (generations are never modified), copies elsewhere."""
    shutil.copytree(src, dest, copy_function=lambda s, d: _link_or_copy(Path(s), Path(d)))


def _link_or_copy(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


class IngestTuner:
    """ingest.pipeline's EmbedderTuner: reuse the previous tuned model, or tune one and keep it if it wins."""

    def __init__(self, settings: EmbedderTuningSettings, base_name: str) -> None:
        self.settings = settings
        self.base_name = base_name
        self.result: TuningResult | None = None
        self._previous: Path | None = None  # the generation whose verdict (and model) this one keeps

    def reuse(self, gen_dir: Path, embedder_name: str, new_share: float, base: Any) -> Any | None:
        """While at most `retune_share` of the passages are new, the previous verdict stands: its tuned
        embedder (returned), or the packaged one when tuning lost (None, and no tuning this time)."""
        try:
            record = json.loads((Path(gen_dir) / RECORD).read_text())
        except (OSError, ValueError):
            return None
        if record.get("settings") != self.settings.model_dump() or new_share > self.settings.retune_share:
            return None
        if record.get("kept"):
            if not embedder_name.startswith(self.base_name + TUNED) or not (Path(gen_dir) / MODEL_DIR).is_dir():
                return None
            self._previous = Path(gen_dir)
            return generation_embedder(gen_dir, embedder_name, base)
        if embedder_name != self.base_name:
            return None
        self._previous = Path(gen_dir)
        return None

    def finish(
        self, leaves: Sequence[Any], texts: Sequence[str], vectors: np.ndarray, embedder: Any
    ) -> tuple[Any, np.ndarray, Callable[[Path], None] | None]:
        """(embedder, vectors, writer of its files into the new generation's dir) for this generation."""
        if self._previous is not None:
            return embedder, vectors, lambda gen_dir: self._carry(self._previous, Path(gen_dir))  # type: ignore[arg-type]
        if not leaves:
            return embedder, vectors, None
        result, model, tuned_vectors = tune(
            leaves, texts, vectors, embedder.embed, EMBEDDERS[self.base_name].locate(), self.settings
        )
        self.result = result
        record = {"settings": self.settings.model_dump(), **vars(result)}
        if not result.kept or model is None or tuned_vectors is None:
            return embedder, vectors, lambda gen_dir: self._record(Path(gen_dir), record)
        name = self.base_name + TUNED + self.digest(leaves)
        tuned = Embedder(name, model, embedder.dim, fast_path_for(model))

        def write(gen_dir: Path) -> None:
            model.save(str(Path(gen_dir) / MODEL_DIR))
            _fsync_tree(Path(gen_dir) / MODEL_DIR)
            self._record(Path(gen_dir), record)

        return tuned, tuned_vectors, write

    def digest(self, leaves: Sequence[Any]) -> str:
        """Names what the model was tuned on (passages and knobs): equal names, equal models."""
        h = hashlib.sha256(self.settings.model_dump_json().encode())
        for node in leaves:
            h.update(node.node_id.encode())
        return h.hexdigest()[:12]

    @staticmethod
    def _record(gen_dir: Path, record: dict[str, Any]) -> None:
        (gen_dir / RECORD).write_text(json.dumps(record, indent=1) + "\n")

    @staticmethod
    def _carry(previous: Path, gen_dir: Path) -> None:
        """The previous generation's verdict, and its model if it kept one, into the new generation."""
        if (previous / MODEL_DIR).is_dir():
            _link_tree(previous / MODEL_DIR, gen_dir / MODEL_DIR)
            _fsync_tree(gen_dir / MODEL_DIR)
        shutil.copy2(previous / RECORD, gen_dir / RECORD)


def ingest_tuner(settings: Settings) -> IngestTuner | None:
    """The tuner the settings ask for (None: the packaged embedder serves, as by default)."""
    if not settings.embedder_tuning.enabled:
        return None
    return IngestTuner(settings.embedder_tuning, settings.embedder)
