"""Near-topic questions the notes never answer: deep-learning topics a student could ask about here.

Far-off questions ("capital of Peru?") never reach the model: the service abstains on their weak
retrieval scores. What does reach it is a question on a neighbouring topic, whose retrieved passages
look relevant but do not answer it; the tuned model answered those from the wrong passage. Each topic
is checked against the notes when the data is built (whole words, case-insensitive, with its aliases):
one the notes do mention is dropped, and so is one that an eval question asks about, so no paraphrase
of a dev or test question is ever trained on.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from models.finetune.questions import mentions, topic_questions

# (topic as asked, aliases that also count as a mention)
NEAR_TOPICS: tuple[tuple[str, ...], ...] = (
    ("label smoothing",),
    ("gradient checkpointing",),
    ("spectral normalization", "spectral norm"),
    ("capsule networks", "capsule network", "capsnet"),
    ("neural architecture search", "architecture search"),
    ("contrastive divergence",),
    ("variational autoencoders", "variational autoencoder", "autoencoder", "VAE"),
    ("teacher forcing",),
    ("curriculum learning",),
    ("DropConnect",),
    ("focal loss",),
    ("triplet loss",),
    ("siamese networks", "siamese network", "siamese"),
    ("rotary position embeddings", "rotary", "RoPE"),
    ("FlashAttention", "flash attention"),
    ("speculative decoding",),
    ("the lottery ticket hypothesis", "lottery ticket"),
    ("stochastic depth",),
    ("mixup augmentation", "mixup"),
    ("cutout augmentation", "cutout"),
    ("proximal policy optimization", "proximal policy", "PPO"),
    ("Q-learning",),
    ("normalizing flows", "normalizing flow"),
    ("energy-based models", "energy-based"),
    ("Hopfield networks", "hopfield"),
    ("restricted Boltzmann machines", "boltzmann"),
    ("deep belief networks", "deep belief"),
    ("neural ODEs", "neural ODE"),
    ("federated learning", "federated"),
    ("catastrophic forgetting",),
    ("MAML meta-learning", "MAML", "meta-learning"),
    ("prototypical networks", "prototypical"),
    ("SimCLR",),
    ("BYOL",),
    ("Xavier initialization", "xavier", "glorot"),
    ("Kaiming initialization", "kaiming", "He initialization"),
    ("Nesterov momentum", "nesterov"),
    ("AdaGrad",),
    ("AdamW",),
    ("gradient clipping",),
    ("exploding gradients", "exploding gradient"),
    ("YOLO",),
    ("GloVe embeddings", "glove"),
    ("ELMo",),
    ("sparse attention",),
    ("Mamba state space models", "mamba", "state space"),
    ("classifier-free guidance",),
    ("VQ-VAE",),
    ("StyleGAN",),
    ("CycleGAN",),
    ("DenseNet",),
    ("EfficientNet",),
    ("deformable convolutions", "deformable convolution", "deformable"),
    ("gradient accumulation",),
    ("the KV cache", "KV cache", "key-value cache"),
    ("nucleus sampling", "top-p sampling"),
    ("Wasserstein GANs", "wasserstein"),
    ("Grad-CAM",),
    ("t-SNE",),
    ("UMAP",),
    ("NeRF", "neural radiance field"),
    ("optical flow",),
    ("PointNet",),
    ("WaveNet",),
    ("Longformer",),
    ("policy gradient methods", "policy gradient"),
    ("deep Q-networks", "DQN"),
    ("actor-critic methods", "actor-critic"),
    ("adversarial examples", "adversarial example", "FGSM"),
    ("instruction tuning",),
    ("chain-of-thought prompting", "chain-of-thought", "chain of thought"),
)


@dataclass
class NearTopics:
    """The topics kept for refusal examples, and the ones dropped with the reason."""

    kept: list[str]
    in_notes: list[str] = field(default_factory=list)
    in_eval: list[str] = field(default_factory=list)


def absent_topics(
    note_texts: Iterable[str], eval_questions: Sequence[str], topics: Sequence[tuple[str, ...]] = NEAR_TOPICS
) -> NearTopics:
    """Topics none of the notes mention and no eval question asks about."""
    notes = "\n".join(note_texts)
    asked = "\n".join(eval_questions)
    out = NearTopics([])
    for terms in topics:
        if mentions(notes, terms):
            out.in_notes.append(terms[0])
        elif mentions(asked, terms):
            out.in_eval.append(terms[0])
        else:
            out.kept.append(terms[0])
    return out


def refusal_questions(topics: Sequence[str], n: int, rng: random.Random, per_topic: int = 2) -> list[tuple[str, str]]:
    """About n (topic, question) pairs, per_topic questions each from the first topics of a seeded shuffle."""
    order = rng.sample(list(topics), k=len(topics))
    pairs = [(t, q) for t in order for q in topic_questions(t, rng, per_topic)]
    return pairs[:n]
