"""Deployment settings, read once from the environment (prefix NOTECITE_) or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTECITE_", env_file=".env", extra="ignore")

    notes_dir: Path = Field(REPO_ROOT.parent / "shared" / "notes", description="Folder of the user's notes.")
    index_dir: Path = Field(REPO_ROOT / "var" / "index", description="Where index generations live.")
    upload_dir: Path | None = Field(None, description="Uploaded notes; default INDEX_DIR/../uploads.")
    code_dir: Path | None = Field(REPO_ROOT / "reference", description="Reference code indexed as 'code'.")

    embedder: str = Field("all-MiniLM-L6-v2", description="Embedding model name in models.embedder.")
    generator: Literal["llamacpp", "transformers"] = Field("llamacpp", description="LLM backend.")
    base_model: str = Field("smollm2-135m-instruct", description="Base model name in models.registry.")
    adapter: str | None = Field("default", description="LoRA adapter name, 'default', or None for the bare base.")
    max_new_tokens: int = Field(160, ge=1, le=2048)
    threads: int | None = Field(None, description="CPU threads for the LLM; None = all cores.")

    # retrieval and fusion (eval sweeps these)
    top_k: int = Field(4, ge=1, le=50, description="Note passages in the prompt (6 cost 50% more time to answer).")
    source_words: int = Field(
        120, ge=10, le=1000, description="Words of each passage in the prompt (90 cut ROUGE-L on the dev set)."
    )
    candidate_k: int = Field(20, ge=1, le=200, description="Top-k from each of dense and BM25 before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal Rank Fusion constant.")
    dense_weight: float = Field(1.0, ge=0)
    bm25_weight: float = Field(1.0, ge=0)
    merge_ratio: float = Field(0.5, gt=0, le=1, description="Merge passages into their section above this share.")
    abstain_threshold: float = Field(
        0.28, description="Abstain when the best passage's cosine is below this (chosen on the dev set: eval)."
    )

    # limits
    api_key: str | None = Field(None, description="When set, write endpoints need 'Authorization: Bearer KEY'.")
    max_question_chars: int = Field(2000, ge=1)
    max_upload_bytes: int = Field(2_000_000, ge=1)
    max_file_bytes: int = Field(5_000_000, ge=1, description="Ingest skips files larger than this.")
    rate_limit_per_minute: int = Field(120, ge=1)

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)

    @field_validator("api_key", "adapter", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in ("", "none", "None") else value

    @property
    def uploads(self) -> Path:
        return self.upload_dir or self.index_dir.parent / "uploads"


@lru_cache
def get_settings() -> Settings:
    return Settings()
