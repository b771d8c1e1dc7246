"""A LoRA linear layer: a frozen weight plus a trainable low-rank update."""

from __future__ import annotations

import numpy as np


class LoRALinear:
    """y = x W^T + b + (alpha / r) * x A^T B^T, with W and b frozen.

    Only A = ``lora_a`` (r, in) and B = ``lora_b`` (out, r) train, so a task costs r * (in + out)
    numbers instead of in * out. B starts at zero, so untrained the layer is exactly the base layer;
    A starts small and random so that the gradient reaching B is not zero. ``merged_weight``
    folds the update back into one matrix for inference, leaving the original W untouched.

    Notes: 003 "LoRA" — "LoRA updates the weight matrix without altering the original weights"

    >>> rng = np.random.default_rng(0)
    >>> base_w = rng.normal(size=(3, 4))                     # (out, in)
    >>> layer = LoRALinear(base_w, np.zeros(3), r=2, alpha=4.0, rng=rng)
    >>> x = rng.normal(size=(5, 4))                          # (N, in)
    >>> bool(np.allclose(layer(x), x @ base_w.T))            # B = 0: the base layer
    True
    >>> layer.lora_b = rng.normal(size=(3, 2))               # as if trained
    >>> bool(np.allclose(layer(x), x @ layer.merged_weight().T))
    True
    """

    def __init__(
        self,
        weight: np.ndarray,
        bias: np.ndarray | None,
        r: int,
        alpha: float,
        rng: np.random.Generator,
    ) -> None:
        out_features, in_features = weight.shape
        # Read-only copies: fine-tuning must never write into the pretrained weights.
        self.weight = np.array(weight, dtype=float)  # (out, in)
        self.weight.flags.writeable = False
        self.bias = None if bias is None else np.array(bias, dtype=float)  # (out,)
        if self.bias is not None:
            self.bias.flags.writeable = False
        self.r = r
        self.scale = alpha / r
        self.lora_a = rng.normal(scale=1.0 / np.sqrt(in_features), size=(r, in_features))  # (r, in)
        self.lora_b = np.zeros((out_features, r))  # (out, r)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Forward pass for x of shape (..., in); returns (..., out)."""
        base = x @ self.weight.T  # (..., out)
        if self.bias is not None:
            base = base + self.bias
        # (..., in) -> (..., r) -> (..., out): the (out, in) product B @ A is never formed.
        update = (x @ self.lora_a.T) @ self.lora_b.T
        return base + self.scale * update

    def merged_weight(self) -> np.ndarray:
        """W + (alpha / r) * B @ A, the single (out, in) matrix to deploy after training."""
        return self.weight + self.scale * (self.lora_b @ self.lora_a)

    def n_trainable(self) -> int:
        """How many numbers fine-tuning updates: the sizes of A and B only."""
        return self.lora_a.size + self.lora_b.size
