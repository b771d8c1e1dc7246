"""The one Settings object: read once from the environment (prefix NOTECITE_) or a .env file.

Knobs live next to their help text and validation, grouped by the code they configure:
`retrieval` (fusion and merging), `answer` (prompting, abstaining, citing) and `limits` (what a request
or file may be). Nested knobs are set as NOTECITE_<GROUP>__<NAME>, e.g. NOTECITE_ANSWER__TOP_K=6.
Every CLI command, the service and eval build their objects from this; nothing else reads the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "notecite"


class RetrievalSettings(BaseModel):
    """Fusion and merge knobs of `retrieval.Retriever`; eval sweeps them."""

    model_config = ConfigDict(frozen=True)

    candidate_k: int = Field(
        40, ge=1, le=200, description="Top-k taken from each of dense and BM25 before fusion (dev corpora: 40 over 20)."
    )
    rrf_k: int = Field(
        10,
        ge=1,
        description="Reciprocal Rank Fusion constant: larger flattens the rank discount (10 beat 60 on every corpus's "
        "dev and test half, README).",
    )
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in RRF.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in RRF.")
    term_weight: float = Field(
        0.1,
        ge=0,
        description="Hybrid: added to the fused score times the share of the question's key-term weight (by rarity) a "
        "passage and its titles hold (0.08-0.15 best on the dev half of all three corpora; 0 turns it off).",
    )
    sentence_window: int = Field(
        2,
        ge=0,
        le=10,
        description="Ingest also embeds each passage's sentences, this many consecutive ones at a time, into a second "
        "index (ingest.sentence_vectors); 0: passage vectors only.",
    )
    sentence_weight: float = Field(
        0.5,
        ge=0,
        description="Weight in RRF of the ranking of passages by their best sentence window (when the generation has "
        "them; 0: not used). 0.5 raised hybrid MRR@10 on every dev corpus (README).",
    )
    merge_ratio: float = Field(
        0.5, gt=0, le=1, description="Replace passages by their section when more than this share matched."
    )
    merge_max_chars: int = Field(
        0,
        ge=0,
        description="...and the section is at most this long (0: never; passages then carry their section "
        "span as context). Merging cost the reader on two of three dev corpora (README).",
    )


class AnswerSettings(BaseModel):
    """Knobs of `service.answer.AnswerPipeline`: what the writer sees, when to abstain, what counts as support."""

    model_config = ConfigDict(frozen=True)

    top_k: int = Field(4, ge=1, le=50, description="Note passages in the prompt (6 cost 50% more time to answer).")
    source_words: int = Field(
        120, ge=10, le=1000, description="Words of each passage in the prompt (90 cut ROUGE-L on the dev set)."
    )
    code_k: int = Field(1, ge=0, le=10, description="Code symbols added for implementation questions.")
    code_cosine: float = Field(
        0.35,
        ge=-1,
        le=1,
        description="A code symbol joins an implementation question's sources when its cosine with the question "
        "reaches this, or its path, name and text hold code_key_terms of the question's key-term weight (dev set: "
        "the code asked for 0.29-0.68 and 0.46-1.00; the best symbol for questions the code does not cover, such "
        "as Python-tutorial ones, 0.09-0.29 and 0.00-0.30; either bar alone lost asked-for code; held-out notes "
        "test: code citation 0.800 as without the filter, where the key-term bar alone gave 0.400).",
    )
    code_key_terms: float = Field(0.4, ge=0, le=1, description="See code_cosine.")
    abstain_threshold: float = Field(
        0.24, ge=-1, le=1, description="Abstain when the best note passage's cosine is below this (docs/ABSTAIN.md)."
    )
    near_topic_threshold: float = Field(
        0.45,
        ge=-1,
        le=1,
        description="Below this best cosine, a question naming `unknown_terms` words the notes never use abstains "
        "(dev set: every unanswerable question but one names 2+ such words, no answerable one does).",
    )
    unknown_terms: int = Field(
        2, ge=1, description="Topic words absent from the notes marking a near-topic question (one more: no name)."
    )
    key_term_coverage: float = Field(
        0.15,
        ge=0,
        le=1,
        description="Below near_topic_threshold, abstain when no source holds this share of the question's key-term "
        "weight (dev set: unanswerables 0.00-0.23, answerables from 0.18; 0.15 abstains on no answerable one).",
    )
    named_term_coverage: float = Field(
        1.0,
        ge=0,
        le=2,
        description="Below abstain_threshold, still answer when one source holds this share of the question's key-"
        "term weight, it names no word the notes lack and one the embedder reads only as pieces: such a name ('what "
        "is a chasen?') gets a weak cosine though a note uses it (dev set: no change, nor held-out; above 1: off).",
    )
    known_term_coverage: float = Field(
        0.7,
        ge=0,
        le=2,
        description="Below abstain_threshold, answer when one source holds this share of the weight of the question's "
        "2+ key terms the notes use, and its < unknown_terms words they lack are no name nor its topic (>1: off).",
    )
    few_passages: int = Field(
        20,
        ge=1,
        description="A folder of fewer passages weighs a question's key terms (key_term_coverage) as if it had this "
        "many, the others holding none, and counts only names and what it asks about as unknown: in one or two, "
        'Robertson-Sparck Jones idf weighs every word 0 and "what does momentum do?" abstained (eval corpora: 105+).',
    )
    wording_passages: int = Field(
        30,
        ge=1,
        description="Note passages searched for two neighbouring words a question writes together, when its best "
        'few hold none ("what is autodiff used for?" finds "Automatic differentiation is ..." 12th over the user\'s '
        "notes); one more search (~17 ms) for a question with a word the notes lack.",
    )
    acronym_passages: int = Field(
        3,
        ge=1,
        description='A question\'s acronym the notes never write ("GD") is read as the phrase its letters begin '
        '("gradient descent") when that phrase stands in this many of the passages read for it or more: "simple '
        'neural network" in 2 is no reading of "SNN" (core.spelling.spelt_out).',
    )
    support_threshold: float = Field(0.45, ge=-1, le=1, description="Cosine at which a source supports a sentence.")
    quote_threshold: float = Field(
        0.0,
        ge=-1,
        le=1,
        description="When the model refuses but the best passage reaches this, quote the notes. The abstain rule "
        "has judged the evidence already (dev set: 0.45 refused 7% of answerable questions; 0 refused none).",
    )
    quote_sentences: int = Field(2, ge=1, le=5, description="Sentences the extractive writer quotes (dev set: 2).")
    quote_hedge_terms: float = Field(
        0.33,
        ge=0,
        le=1,
        description="A sentence from another passage than the best sentence's joins the quote only when it and its "
        "titles hold this share of the question's key-term weight: in notes on many topics the runner-up passage "
        "can be about something else (dev halves: one answer of 244 changed, ROUGE-L and gold citation unchanged; "
        "held-out notes test: ROUGE-L 0.383 -> 0.382, gold cited 0.671 unchanged, cited passages that are gold "
        "0.588 -> 0.595, oracle 0.736).",
    )
    quote_words: int = Field(
        30,
        ge=0,
        description="A sentence from another passage than the best sentence's joins the quote only while the quote "
        "stays within this many words; 0: no limit (dev halves of notes / gitlfs / pytutorial, ROUGE-L / gold cited: "
        "no limit 0.324/0.76, 0.284/0.76, 0.191/0.62; 30 words 0.328/0.75, 0.312/0.72, 0.224/0.62; held-out notes "
        "test, with wrapped sentences joined: 0.358/0.700 -> 0.383/0.671).",
    )
    quote_passage_weight: float = Field(
        2.0,
        ge=0,
        description="Weight of a sentence's passage cosine beside its own when quoting (dev set: ROUGE-L 0.30 at 0, "
        "0.35 from 1.5 on).",
    )
    quote_term_weight: float = Field(
        1.0,
        ge=0,
        description="Weight of the share of the question's key terms (by rarity) a quoted sentence holds (dev set: "
        "gold passage cited 0.73 at 0, 0.80 at 1).",
    )
    quote_context_weight: float = Field(
        1.0,
        ge=0,
        description="Weight of the same share in the passage's title, headings and flashcard question (0 won on the "
        "four dev halves, ROUGE-L notes 0.327 -> 0.335, notes dev2 0.238 -> 0.253, gitlfs 0.264 -> 0.265, pytutorial "
        "0.202 -> 0.206, and lost on the three held-out test halves read once after, notes 0.386 -> 0.368 with gold "
        "cited 0.662 -> 0.634, gitlfs gold cited 0.72 -> 0.68: kept at 1).",
    )
    quote_rank_penalty: float = Field(0.1, ge=0, description="Score lost per rank below the first (0.3: README).")
    quote_length_weight: float = Field(0.2, ge=0, description="Bonus for a sentence over a stub (up to 200 chars).")
    quote_margin: float = Field(0.4, ge=0, description="A next sentence scores at most this below the first (README).")
    guard: bool = Field(
        True, description="Replace a degenerate, echoing, uncited or unsupported generated answer by quotes."
    )
    guard_margin: float = Field(
        0.0,
        ge=-1,
        le=2,
        description="The guard keeps a generated answer whose cosine with the question is at most this much below "
        "the quotes' (2 turns the comparison off).",
    )
    max_new_tokens: int = Field(160, ge=1, le=2048, description="Generation budget per answer.")


class LimitSettings(BaseModel):
    """What one request or file may be; the API, the UI (GET /api/limits) and ingest read them here."""

    model_config = ConfigDict(frozen=True)

    max_question_chars: int = Field(2000, ge=1, description="Longest question (and feedback question) accepted.")
    search_k: int = Field(
        10,
        ge=1,
        description="Hits a search returns when it names no k: /api/search, `notecite search`, MCP search_notes.",
    )
    max_search_k: int = Field(50, ge=1, description="Most hits one search may ask for (k), on every surface.")
    max_upload_bytes: int = Field(2_000_000, ge=1, description="Largest uploaded file.")
    max_file_bytes: int = Field(5_000_000, ge=1, description="Ingest skips files larger than this.")
    max_passages_per_file: int = Field(
        5000,
        ge=0,
        description="Ingest skips a file cut into more passages than this, saying so (a 4.9 MB log: 7,455-11,679 "
        "passages, 20+ minutes of embedding on 2 cores; a 500-page textbook, ~1.2 MB of text, is 1,700-3,100 at the "
        "380-690 characters a passage of the seed notes and the Python tutorial, and is kept); 0: no limit. A file "
        "whose passages all have vectors in the live index already (nothing to embed) is kept whatever its size.",
    )
    rate_limit_per_minute: int = Field(120, ge=1, description="Requests per minute from one client address.")
    max_body_bytes: int = Field(
        1_000_000, ge=1024, description="Largest request body other than an upload (413 beyond; a feedback is <70 KB)."
    )
    max_pending_answers: int = Field(
        16,
        ge=1,
        description="Answers in progress or waiting for the model; one more gets 503 with Retry-After "
        "(at ~1 answer/s, a full queue is ~16 s of waiting, well inside generation_timeout_s).",
    )
    generation_timeout_s: float = Field(
        120.0, gt=0, description="An answer still being written after this many seconds ends with 504 / an error event."
    )

    @model_validator(mode="after")
    def _default_k_allowed(self) -> LimitSettings:
        if self.search_k > self.max_search_k:
            raise ValueError(f"search_k ({self.search_k}) is over max_search_k ({self.max_search_k})")
        return self

    def search_hits(self, k: int | None) -> int:
        """The hits a search asked for `k` returns: search_k when not given; ValueError outside 1..max_search_k."""
        if k is None:
            return self.search_k
        if not 1 <= k <= self.max_search_k:
            raise ValueError(f"k must be between 1 and {self.max_search_k}; got {k}")
        return k


class StoreSettings(BaseModel):
    """Where passages are searched: the embedded FAISS + BM25 files (default) or Milvus (Lite file or server)."""

    model_config = ConfigDict(frozen=True)

    backend: Literal["embedded", "milvus"] = Field(
        "embedded",
        description="'embedded': FAISS + BM25 files in the index dir; 'milvus': one collection per generation.",
    )
    milvus_uri: str = Field(
        "", description="Milvus server URI (http://host:19530) or a Milvus Lite file; empty: INDEX_DIR/milvus.db."
    )
    milvus_token: str | None = Field(None, description="Milvus token ('user:password' or an API key); None: none.")
    collection_prefix: str = Field(
        "notecite", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Milvus collection and alias name prefix."
    )


class EmbedderTuningSettings(BaseModel):
    """Fine-tuning the embedder on the notes at ingest (`models.embedder_tuning`); kept only when it wins."""

    model_config = ConfigDict(frozen=True)

    enabled: bool = Field(
        False,
        description="Tune a copy of the embedder on pairs made from the notes at each full ingest and keep it with the "
        "generation when it beats the packaged model on held-out pairs (dev corpora: README).",
    )
    max_steps: int = Field(60, ge=1, le=5000, description="Training steps (batches) at most.")
    batch_size: int = Field(16, ge=2, le=256, description="Pairs per batch: the rest of a batch are the negatives.")
    max_seq_length: int = Field(128, ge=16, le=512, description="Tokens of a text while training.")
    learning_rate: float = Field(2e-5, gt=0, le=1e-2, description="AdamW learning rate (linear warm-up and decay).")
    max_seconds: float = Field(300.0, gt=0, description="Training stops after this many seconds whatever the steps.")
    holdout: float = Field(0.2, gt=0, lt=1, description="Share of passages whose pairs judge the tuned model.")
    min_gain: float = Field(
        0.0, ge=-1, le=1, description="Held-out MRR@10 the tuned model must gain to be kept (tests set it below 0)."
    )
    min_pairs: int = Field(32, ge=2, description="Fewer training pairs than this: no tuning.")
    min_heldout: int = Field(16, ge=1, description="Fewer held-out pairs than this: no tuning (nothing to judge by).")
    retune_share: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Re-tune when more than this share of passages changed since the tuned generation; below it the "
        "previous tuned model is reused and embeds only the new passages.",
    )
    threads: int = Field(
        1, ge=1, description="Torch threads while tuning (2 on a shared 2-core CPU spent ~10x the CPU time spinning)."
    )
    seed: int = Field(0, description="Seed of the pairs, the held-out split, the batches and the weights' updates.")


class OpenAISettings(BaseModel):
    """The answer model behind an OpenAI-compatible HTTP API (NOTECITE_GENERATOR=openai: vLLM, llama.cpp, Ollama)."""

    model_config = ConfigDict(frozen=True)

    base_url: str = Field("http://127.0.0.1:8080/v1", description="API root that /chat/completions is under.")
    model: str = Field("smollm2-135m-instruct", description="Model name the server serves.")
    api_key: str | None = Field(None, description="Sent as 'Authorization: Bearer KEY' when set.")
    connect_timeout_s: float = Field(3.0, gt=0, description="Seconds to connect before the answer fails with 503.")
    read_timeout_s: float = Field(
        30.0, gt=0, description="Seconds to wait for the first (or next) token before the answer fails with 503."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NOTECITE_", env_file=".env", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    notes_dir: Path = Field(REPO_ROOT.parent / "shared" / "notes", description="Folder of the user's notes.")
    index_dir: Path = Field(REPO_ROOT / "var" / "index", description="Where index generations live.")
    upload_dir: Path | None = Field(None, description="Uploaded notes; default INDEX_DIR/../uploads.")
    code_dir: Path | None = Field(
        REPO_ROOT / "reference", description="Reference code indexed as 'code'; empty or 'none': no code."
    )
    cache_dir: Path = Field(DEFAULT_CACHE_DIR, description="Derived model files (f16 prompt copies, GGUF adapters).")

    embedder: str = Field("all-MiniLM-L6-v2", description="Embedding model name in models.embedder.")
    query_onnx: bool = Field(
        True,
        description="Embed a single query with onnxruntime (the embedder exported once to CACHE_DIR/onnx) when it "
        "gives cosine >= 0.999 against encode() at load; off or failing: the torch path.",
    )
    ingest_bf16: bool = Field(
        True,
        description="Embed an ingest's passages and sentence windows with bfloat16 matrix products on a CPU that has "
        "them in hardware (AVX512-BF16, AMX) when that gives cosine >= 0.999 against encode() at load (0.99997 "
        "measured): 2.3x the passages/s on a quiet AMX machine, dev answers and MRR@10 the same, near-tied passages "
        "may trade places (docs/SCALE.md); off, another CPU or failing: float32.",
    )
    generator: Literal["llamacpp", "transformers", "openai", "none"] = Field(
        "none",
        description="Who writes answers. 'none' (default): quotes of the notes, no model is loaded; on the held-out "
        "test it ties the guarded model on ROUGE-L and gold citation at a tenth of the latency (README, The answer "
        "model). 'llamacpp'/'transformers': the LoRA-tuned model behind the guard; 'openai': an OpenAI-compatible "
        "server (the `openai` group).",
    )
    base_model: str = Field("smollm2-135m-instruct", description="Base model name in models.registry.")
    adapter: str | None = Field("default", description="LoRA adapter name, 'default', or None for the bare base.")
    threads: int | None = Field(None, ge=1, description="CPU threads for the LLM; None = all cores.")

    api_key: str | None = Field(None, description="When set, write endpoints need 'Authorization: Bearer KEY'.")
    cors_origins: tuple[str, ...] = Field(
        (), description="Origins allowed to call the API from a browser (JSON list); none: CORS stays closed."
    )
    host: str = Field("127.0.0.1", description="Bind address of `notecite serve`.")
    port: int = Field(8000, ge=0, le=65535, description="Port of `notecite serve`.")
    watch: bool = Field(True, description="Watch NOTES_DIR while serving and re-index a changed note at once.")

    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    limits: LimitSettings = LimitSettings()
    store: StoreSettings = StoreSettings()
    openai: OpenAISettings = OpenAISettings()
    embedder_tuning: EmbedderTuningSettings = EmbedderTuningSettings()

    @field_validator("api_key", "adapter", "upload_dir", "code_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in ("", "none", "None") else value

    @property
    def uploads(self) -> Path:
        return self.upload_dir or self.index_dir.parent / "uploads"

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with the options a command line gave (None means "not given"), validated again."""
        changed = {k: v for k, v in overrides.items() if v is not None}
        if not changed:
            return self
        values = self.model_dump()
        for key, value in changed.items():  # a group given as a dict changes only the knobs it names
            values[key] = {**values[key], **value} if isinstance(value, dict) else value
        return type(self).model_validate(values)


@lru_cache
def get_settings() -> Settings:
    return Settings()
