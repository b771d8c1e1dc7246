"""Versioned adapter folders and the default pointer the service resolves."""

from __future__ import annotations

import pytest

from models.adapters import next_version_dir, promote, resolve_adapter
from models.errors import ModelNotFound


def make_adapter(root, name):
    (root / name).mkdir()
    (root / name / "adapter_config.json").write_text("{}")
    return root / name


def test_versions_count_up_and_never_reuse_a_folder(tmp_path):
    assert next_version_dir("m", tmp_path).name == "m-v1"
    make_adapter(tmp_path, "m-v1")
    make_adapter(tmp_path, "m-v7")
    make_adapter(tmp_path, "m-vx")  # not a version
    assert next_version_dir("m", tmp_path).name == "m-v8"


def test_default_resolves_through_the_pointer(tmp_path):
    with pytest.raises(ModelNotFound, match="--promote"):
        resolve_adapter("default", "m", tmp_path)
    v2 = make_adapter(tmp_path, "m-v2")
    promote(v2, "m", tmp_path)
    assert resolve_adapter("default", "m", tmp_path) == v2
    assert resolve_adapter("m-v2", "m", tmp_path) == v2
    assert resolve_adapter(None, "m", tmp_path) is None
    with pytest.raises(ModelNotFound, match="notecite finetune"):
        resolve_adapter("m-v9", "m", tmp_path)


def test_committed_default_adapter_exists():
    path = resolve_adapter("default", "smollm2-135m-instruct")
    assert (path / "adapter_model.safetensors").stat().st_size < 8_000_000  # a few MB, fit for git
    assert (path / "adapter.gguf").is_file()
