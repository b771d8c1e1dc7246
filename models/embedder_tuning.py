"""Fine-tune the embedder on the notes being indexed, and keep it only when it wins on held-out pairs.

The notes are their own training data: a section's title finds its passage, a flashcard question its answer
lines, a sentence the passage it was taken from, a sentence its neighbour. sentence-transformers'
MultipleNegativesRankingLoss (the other passages of a batch are the negatives) trains on the pairs of
most passages; the pairs of the rest (`holdout`) are ranked by the packaged model and the tuned one
against every passage of the index, and the tuned model is kept only when its MRR@10 is higher. Steps,
batch, sequence length and a wall-clock cap come from settings; the seed makes a run repeatable.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.settings import EmbedderTuningSettings
from core.text import sentence_spans
from models.embedder import Embedder

log = logging.getLogger(__name__)

MRR_K = 10
MIN_BODY = 40  # characters a positive must keep: a title alone says nothing about its passage
MIN_SENTENCE = 30
MAX_SENTENCE = 300
Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, dim) normalized


@dataclass(frozen=True)
class Pair:
    """A text and the passage text it should find; `leaf` is the passage's index among the leaves."""

    anchor: str
    positive: str
    leaf: int
    kind: str  # "title" | "question" | "sentence" | "neighbour"


@dataclass
class TuningResult:
    """What one tuning run did: held-out MRR@10 of both models, and whether the tuned one won."""

    pairs: int = 0
    train_pairs: int = 0
    heldout_pairs: int = 0
    steps: int = 0
    base_mrr: float = 0.0
    tuned_mrr: float = 0.0
    kept: bool = False
    train_seconds: float = 0.0
    seconds: float = 0.0
    reason: str = ""
    pair_kinds: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        verdict = "kept" if self.kept else f"not kept ({self.reason})"
        return (
            f"embedder tuning: {self.train_pairs} train / {self.heldout_pairs} held-out pairs, {self.steps} steps, "
            f"held-out MRR@10 {self.base_mrr:.3f} -> {self.tuned_mrr:.3f}, {verdict}, {self.seconds:.0f} s"
        )


def _body(text: str, start: int, context_spans: Sequence[Sequence[int]]) -> str:
    """The passage without its titles, headings and flashcard questions (context spans are absolute)."""
    keep, at = [], 0
    for s, e in sorted((int(s) - start, int(e) - start) for s, e in context_spans):
        if s >= at:
            keep.append(text[at:s])
        at = max(at, e)
    keep.append(text[at:])
    return " ".join(" ".join(keep).split())


def _with_crumbs(crumbs: Sequence[str], body: str) -> str:
    return (" > ".join(crumbs) + "\n" + body) if crumbs else body


def leaf_pairs(node: Any, leaf: int, rng: random.Random, per_kind: int = 2) -> list[Pair]:
    """Pairs from one passage (a llama-index TextNode with breadcrumbs, start and context spans)."""
    meta = node.metadata
    text, start = node.text, int(meta["start"])
    spans = [(int(s), int(e)) for s, e in meta.get("context_spans", [])]
    crumbs = [c for c in list(meta.get("breadcrumbs", []))[1:] if c.strip()]
    body = _body(text, start, spans)
    pairs: list[Pair] = []
    if crumbs and len(body) >= MIN_BODY:
        pairs.append(Pair(" > ".join(crumbs), body, leaf, "title"))
    for s, e in spans:
        question = " ".join(text[s - start : e - start].split())
        if question.endswith("?") and len(body) >= MIN_BODY:
            pairs.append(Pair(question, _with_crumbs(crumbs, body), leaf, "question"))
    sentences = [body[s:e] for s, e in sentence_spans(body)]
    usable = [i for i, s in enumerate(sentences) if MIN_SENTENCE <= len(s) <= MAX_SENTENCE]
    for i in rng.sample(usable, min(per_kind, len(usable))):
        rest = " ".join(s for j, s in enumerate(sentences) if j != i)
        if len(rest) >= MIN_BODY:
            pairs.append(Pair(sentences[i], _with_crumbs(crumbs, rest), leaf, "sentence"))
    neighbours = [i for i in usable if i + 1 < len(sentences) and len(sentences[i + 1]) >= MIN_SENTENCE]
    for i in rng.sample(neighbours, min(1, len(neighbours))):
        pairs.append(Pair(sentences[i], sentences[i + 1], leaf, "neighbour"))
    return pairs


def training_pairs(leaves: Sequence[Any], seed: int = 0) -> list[Pair]:
    """Every passage's pairs, in passage order; the same leaves and seed give the same pairs."""
    rng = random.Random(seed)
    return [p for i, node in enumerate(leaves) for p in leaf_pairs(node, i, rng)]


def split_pairs(pairs: Sequence[Pair], n_leaves: int, holdout: float, seed: int) -> tuple[list[Pair], list[Pair]]:
    """(train, held out), split by passage: a held-out passage lends no pair to training, so the test
    is whether tuning generalizes to passages it did not see, as new questions will be."""
    leaves = sorted({p.leaf for p in pairs})
    random.Random(seed).shuffle(leaves)
    held = set(leaves[: round(len(leaves) * holdout)])
    return [p for p in pairs if p.leaf not in held], [p for p in pairs if p.leaf in held]


def heldout_mrr(pairs: Sequence[Pair], leaf_vectors: np.ndarray, embed: Embed, k: int = MRR_K) -> float:
    """MRR@k of each pair's anchor over every passage, its own passage standing in as the pair's positive
    (the anchor's sentence removed, so a copy of it cannot win)."""
    if not pairs:
        return 0.0
    anchors = embed([p.anchor for p in pairs])
    positives = embed([p.positive for p in pairs])
    total = 0.0
    for j, pair in enumerate(pairs):
        scores = leaf_vectors @ anchors[j]
        own = float(positives[j] @ anchors[j])
        scores[pair.leaf] = own
        rank = 1 + int(np.sum(scores > own))
        total += 1.0 / rank if rank <= k else 0.0
    return total / len(pairs)


def batches(pairs: Sequence[Pair], batch_size: int, steps: int, seed: int) -> list[list[Pair]]:
    """`steps` batches over shuffled epochs; no batch holds two pairs of one passage (each would be the
    other's false negative under in-batch negatives): such a pair waits for the next batch."""
    rng = random.Random(seed)
    out: list[list[Pair]] = []
    while len(out) < steps and len({p.leaf for p in pairs}) >= 2:
        queue = list(pairs)
        rng.shuffle(queue)
        while queue and len(out) < steps:
            batch: list[Pair] = []
            rest: list[Pair] = []
            for pair in queue:
                if len(batch) < batch_size and all(p.leaf != pair.leaf for p in batch):
                    batch.append(pair)
                else:
                    rest.append(pair)
            if len(batch) < 2:
                break
            out.append(batch)
            queue = rest
    return out


def train(model: Any, pairs: Sequence[Pair], s: EmbedderTuningSettings) -> tuple[int, float]:
    """MultipleNegativesRankingLoss over `s.max_steps` batches (or until `s.max_seconds`); returns
    (steps taken, seconds)."""
    import torch
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    torch.manual_seed(s.seed)
    plan = batches(pairs, s.batch_size, s.max_steps, s.seed)
    loss_fn = MultipleNegativesRankingLoss(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=s.learning_rate)
    warmup = max(1, len(plan) // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda i: min((i + 1) / warmup, max(0.0, (len(plan) - i) / max(1, len(plan) - warmup)))
    )
    model.train()
    began = time.perf_counter()
    steps = 0
    try:
        for batch in plan:
            if time.perf_counter() - began > s.max_seconds:
                log.warning("embedder tuning stopped by max_seconds after %d of %d steps", steps, len(plan))
                break
            features = [model.tokenize([p.anchor for p in batch]), model.tokenize([p.positive for p in batch])]
            features = [{k: v.to(model.device) if hasattr(v, "to") else v for k, v in f.items()} for f in features]
            loss = loss_fn(features, None)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            steps += 1
    finally:
        model.eval()
    return steps, time.perf_counter() - began


def load_trainable(path: Path, max_seq_length: int) -> Any:
    """A fresh copy of the packaged model (the process's shared embedder is never trained in place)."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(path), device="cpu")
    model.max_seq_length = max_seq_length
    return model


def encoder(model: Any) -> Embed:
    """SentenceTransformer.encode, normalized float32 (what models.embedder.Embedder.encode runs)."""
    return Embedder("tuning", model, model.get_embedding_dimension()).encode


def tune(
    leaves: Sequence[Any],
    leaf_texts: Sequence[str],
    base_vectors: np.ndarray,
    base_embed: Embed,
    model_path: Path,
    s: EmbedderTuningSettings,
    *,
    embed_max_seq_length: int = 256,
) -> tuple[TuningResult, Any | None, np.ndarray | None]:
    """Tune a copy of the model at `model_path` on the leaves' pairs. Returns (result, tuned model, its
    vectors of `leaf_texts`); `result.kept` says whether it beat the base model on the held-out pairs
    (model and vectors are None when there were too few pairs to try).

    `base_vectors` are the base model's vectors of `leaf_texts` (ingest has them already)."""
    with torch_threads(s.threads):
        return _tune(leaves, leaf_texts, base_vectors, base_embed, model_path, s, embed_max_seq_length)


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Torch's intra-op threads set to `n` inside, restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _tune(leaves, leaf_texts, base_vectors, base_embed, model_path, s, embed_max_seq_length):  # type: ignore[no-untyped-def]
    """tune() inside its thread limit."""
    began = time.perf_counter()
    result = TuningResult()
    pairs = training_pairs(leaves, s.seed)
    result.pairs = len(pairs)
    result.pair_kinds = {k: sum(1 for p in pairs if p.kind == k) for k in sorted({p.kind for p in pairs})}
    trainset, heldout = split_pairs(pairs, len(leaves), s.holdout, s.seed)
    result.train_pairs, result.heldout_pairs = len(trainset), len(heldout)
    if len(trainset) < s.min_pairs or len(heldout) < s.min_heldout:
        result.reason = f"too few pairs ({len(trainset)} train, {len(heldout)} held out)"
        result.seconds = time.perf_counter() - began
        return result, None, None
    result.base_mrr = heldout_mrr(heldout, base_vectors, base_embed)
    model = load_trainable(model_path, s.max_seq_length)
    result.steps, result.train_seconds = train(model, trainset, s)
    model.max_seq_length = embed_max_seq_length
    tuned_embed = encoder(model)
    tuned_vectors = tuned_embed(list(leaf_texts))
    result.tuned_mrr = heldout_mrr(heldout, tuned_vectors, tuned_embed)
    result.kept = result.tuned_mrr > result.base_mrr + s.min_gain
    if not result.kept:
        result.reason = f"held-out MRR@10 {result.tuned_mrr:.3f} <= {result.base_mrr:.3f} + {s.min_gain}"
    result.seconds = time.perf_counter() - began
    log.info(result.summary())
    return result, model, tuned_vectors
