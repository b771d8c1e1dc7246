"""The CPU embedding path: what SentenceTransformer.encode computes for a Transformer -> mean Pooling ->
Normalize model, arranged for a small, shared CPU.

- Texts are tokenized once (truncated at the model's max_seq_length: what the model really sees), sorted
  by token count and cut into batches, so a batch pads to within a few tokens of its longest text.
- Each forward pass runs on one intra-op thread and the batches run side by side in a pool, one per
  core. torch's default (one batch at a time across every core) loses most of its time at OpenMP
  barriers when other processes hold the cores: on this 2-core machine under load a single query took
  429 ms with 2 threads and 16 ms with 1; passages ran 2.4x faster on 1 thread than on 2.
- A single text (a query) takes the same code with one batch, in the calling thread.

- Ingest's batches may run in bfloat16 (`embed(..., bf16=True)`: a bfloat16 copy of the transformer, made on
  first use; pooling and normalization stay float32) on a CPU with native bfloat16 dot products (AVX512-BF16 or
  AMX): cosine >= 0.9999 against encode() on the seed notes' texts. The copy spends 17-28% less CPU than torch's
  autocast over the float32 weights (which casts every weight and activation on every batch: 16% of its time in
  copies), and 3-4x less than float32 (seed passages, one thread: 0.46 against 1.49 CPU s). Near-tied passages
  may trade places in a ranking; `models.embedder` turns it on (NOTECITE_INGEST_BF16) only after the same check
  as the fp32 path, and queries and the answer's own embeddings stay float32. The fp32 products already run at
  ~93 GFLOP/s per core here (measured sgemm), so fp32 has no such factor left.

Int8 dynamic quantization (torch.ao, Linear layers) was measured and refused: cosine 0.85 per tensor,
0.96 per channel against encode() on the seed notes, far under 0.999. onnxruntime (fp32) ran no faster
per CPU-second than this path on batches of passages; on a single query it spends 2.3x less CPU, so a
query goes through it when it is there (models.onnx_query).
"""

from __future__ import annotations

import copy
import os
import weakref
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any

import numpy as np


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX): elsewhere torch emulates it, slower
    than float32."""
    import torch

    cpu = getattr(torch, "cpu", None)
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


def usable_cpus() -> int:
    """Cores this process may run on (its affinity mask, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def is_mean_pooled_transformer(model: object) -> bool:
    """Transformer -> mean Pooling -> Normalize: the layout this path reproduces."""
    try:
        names = [type(m).__name__ for m in model]  # type: ignore[attr-defined]
        return names == ["Transformer", "Pooling", "Normalize"] and model[1].pooling_mode == "mean"  # type: ignore[index]
    except (TypeError, AttributeError, IndexError):
        return False


@contextmanager
def intra_op_threads(n: int) -> Iterator[None]:
    """torch's intra-op thread count set to n for the block (process-wide in torch), then put back."""
    import torch

    before = torch.get_num_threads()
    if before != n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if before != n:
            torch.set_num_threads(before)


_LIVE: weakref.WeakSet[FastPath] = weakref.WeakSet()


def _forget_pools() -> None:
    """In a forked child: the parent's pool threads do not exist there, and a batch handed to them would
    wait forever (the crash tests' forked ingests hung so), so each path starts a pool of its own."""
    for path in list(_LIVE):
        path._pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools)


class FastPath:
    """Tokenize, sort by length, batch, forward on one thread per batch, mean-pool, normalize."""

    def __init__(self, model: Any, workers: int | None = None) -> None:
        transformer = model[0]
        self.tokenizer = transformer.tokenizer
        self.model = transformer.auto_model
        self.max_length = int(transformer.max_seq_length)
        self.workers = max(1, workers or usable_cpus())
        self._pool: ThreadPoolExecutor | None = None  # started on the first batch that needs it
        self._bf16_model: Any = None  # the transformer in bfloat16, made on the first batch that asks for it
        _LIVE.add(self)

    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="embed")
        return self._pool

    def bf16_model(self) -> Any:
        """The transformer with bfloat16 weights (made once, ~45 MB more): the layers run in bfloat16 with no
        cast of the float32 weights on each batch, as autocast does."""
        if self._bf16_model is None:
            import torch

            self._bf16_model = copy.deepcopy(self.model).to(torch.bfloat16).eval()
        return self._bf16_model

    def drop_bf16_model(self) -> None:
        """Free the bfloat16 copy until a batch asks for it again: a process that checked it at load may never
        ingest (an API worker), and ~45 MB is a tenth of its memory over an index. Only where no batch runs: at load,
        before the embedder is shared, or under its lock (`Embedder._counted`)."""
        self._bf16_model = None

    def batches(
        self, texts: Sequence[str], batch_size: int, with_offsets: bool = False
    ) -> tuple[list[list[int]], list[dict[str, Any]], list[list[tuple[int, int]]]]:
        """Row indices per batch (longest texts first), each batch's padded tensors and, `with_offsets`, each
        text's token character offsets (the fast tokenizer's offset_mapping; else an empty list)."""
        if len(texts) == 1 and not with_offsets:  # a query: nothing to sort or pad
            return (
                [[0]],
                [self.tokenizer(list(texts), truncation=True, max_length=self.max_length, return_tensors="pt")],
                [],
            )
        encoded = self.tokenizer(
            list(texts), truncation=True, max_length=self.max_length, return_offsets_mapping=with_offsets
        )
        offsets = list(encoded.pop("offset_mapping")) if with_offsets else []
        lengths = [len(ids) for ids in encoded["input_ids"]]
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        rows = [order[s : s + batch_size] for s in range(0, len(order), batch_size)]
        keys = list(encoded.keys())
        features = [
            self.tokenizer.pad({k: [encoded[k][i] for i in batch] for k in keys}, return_tensors="pt") for batch in rows
        ]
        return rows, features, offsets

    def forward(self, features: dict[str, Any], bf16: bool = False) -> np.ndarray:
        """One padded batch -> (batch, dim) normalized mean-pooled vectors; `bf16`: through the transformer's
        bfloat16 copy (`bf16_model`)."""
        return self.forward_tokens(features, bf16)[0]

    def forward_tokens(self, features: dict[str, Any], bf16: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """One padded batch -> its (batch, dim) vectors as `forward` gives them, and the token vectors
        (batch, T, dim) they were pooled from (padding rows included)."""
        import torch

        model = self.bf16_model() if bf16 else self.model
        with torch.inference_mode():
            tokens = model(**features).last_hidden_state.float()  # (B, T, dim)
            mask = features["attention_mask"].unsqueeze(-1).to(tokens.dtype)  # (B, T, 1)
            mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1).float().numpy(), tokens.float().numpy()

    def embed(self, texts: list[str], batch_size: int = 32, *, bf16: bool = False) -> np.ndarray:
        """(n, dim) float32 in the order of `texts`; `bf16`: the transformer in bfloat16 (see the module)."""
        if len(texts) > 1 and self.workers > 1:
            # enough batches to keep every worker busy, never larger than the caller asked
            batch_size = max(1, min(batch_size, -(-len(texts) // self.workers)))
        rows, features, _ = self.batches(texts, batch_size)
        if bf16:
            self.bf16_model()  # made here, before the pool's threads would each make one
        with intra_op_threads(1):
            if self.workers > 1 and len(features) > 1:
                vectors = list(self.pool().map(partial(self.forward, bf16=bf16), features))
            else:
                vectors = [self.forward(f, bf16) for f in features]
        out = np.empty((len(texts), vectors[0].shape[1]), dtype=np.float32)
        for batch, v in zip(rows, vectors, strict=True):
            out[batch] = v
        return out

    def embed_late(
        self, texts: list[str], spans: Sequence[Sequence[Spans]], batch_size: int = 32
    ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """`embed(texts)` and, from the same forward passes, a vector per entry of `spans[i]` pooled from
        text i's token vectors (`pool_spans`): (vectors, pooled per text, covered per text)."""
        if len(texts) > 1 and self.workers > 1:
            batch_size = max(1, min(batch_size, -(-len(texts) // self.workers)))
        rows, features, offsets = self.batches(texts, batch_size, with_offsets=True)

        def run(batch: tuple[list[int], dict[str, Any]]) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
            ids, feats = batch
            vectors, tokens = self.forward_tokens(feats)
            lengths = feats["attention_mask"].sum(1).tolist()
            return vectors, [
                pool_spans(tokens[j, :n], offsets[i], spans[i])
                for j, (i, n) in enumerate(zip(ids, lengths, strict=True))
            ]

        with intra_op_threads(1):
            jobs = list(zip(rows, features, strict=True))
            done = list(self.pool().map(run, jobs)) if self.workers > 1 and len(jobs) > 1 else [run(j) for j in jobs]
        out = np.empty((len(texts), done[0][0].shape[1]), dtype=np.float32)
        pooled: list[np.ndarray] = [np.empty(0)] * len(texts)
        covered: list[np.ndarray] = [np.empty(0)] * len(texts)
        for batch, (vectors, per_text) in zip(rows, done, strict=True):
            out[batch] = vectors
            for i, (p, c) in zip(batch, per_text, strict=True):
                pooled[i], covered[i] = p, c
        return out, pooled, covered


Spans = Sequence[tuple[int, int]]  # one pooled vector's character ranges of the text, [start, end) each


def pool_spans(
    tokens: np.ndarray, offsets: Sequence[tuple[int, int]], spans: Sequence[Spans]
) -> tuple[np.ndarray, np.ndarray]:
    """Late chunking (Guenther et al. 2024): for each entry of `spans`, the normalized mean of the token
    vectors (`tokens`: (T, dim), one text's, no padding) whose character `offsets` overlap its ranges, and
    whether the tokens covered it: a range that ends past the last token the model saw (truncation) or
    holds no token is not covered, and its row is zeros for the caller to fill another way."""
    bounds = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
    starts_arr, ends_arr = bounds[:, 0], bounds[:, 1]
    real = ends_arr > starts_arr  # special tokens ([CLS], [SEP]) have (0, 0)
    seen_to = int(ends_arr.max()) if real.any() else 0
    pooled = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    covered = np.zeros(len(spans), dtype=bool)
    for k, ranges in enumerate(spans):
        if not ranges or max(e for _, e in ranges) > seen_to:
            continue
        take = np.zeros(len(offsets), dtype=bool)
        for s, e in ranges:
            take |= real & (starts_arr < e) & (ends_arr > s)
        if not take.any():
            continue
        mean = tokens[take].mean(0)
        pooled[k] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        covered[k] = True
    return pooled, covered


def encode_late(
    model: Any, texts: list[str], spans: Sequence[Sequence[Spans]], batch_size: int = 32
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """`FastPath.embed_late` through SentenceTransformer.encode (a GPU, or where the fast path is not
    equivalent): its sentence embeddings and the token embeddings they were pooled from, with the
    tokenizer's offsets of the same truncated texts."""
    out = model.encode(texts, batch_size=batch_size, output_value=None, show_progress_bar=False)
    offsets = model.tokenizer(texts, truncation=True, max_length=model.max_seq_length, return_offsets_mapping=True)[
        "offset_mapping"
    ]
    vectors = np.stack([o["sentence_embedding"].float().cpu().numpy() for o in out])
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    pooled, covered = [], []
    for o, off, sp in zip(out, offsets, spans, strict=True):
        n = int(o["attention_mask"].sum())
        tokens = o["token_embeddings"][:n].float().cpu().numpy()
        p, c = (
            pool_spans(tokens, off, sp)
            if n == len(off)
            else (np.zeros((len(sp), vectors.shape[1]), np.float32), np.zeros(len(sp), bool))
        )
        pooled.append(p)
        covered.append(c)
    return vectors.astype(np.float32), pooled, covered
