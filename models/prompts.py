"""The one prompt format the answer model is fine-tuned on and served with.

The system prompt is fixed so that backends can keep its KV cache across questions; everything that
changes per question (sources, question) comes after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

REFUSAL = "The notes do not cover this."

SYSTEM_PROMPT = (
    "You answer questions using only the numbered sources from the user's notes. "
    "Be concise. After each fact, cite its source number like [1]. "
    f"If the sources do not contain the answer, reply exactly: {REFUSAL}"
)


@dataclass
class PromptSource:
    """One numbered passage handed to the model."""

    n: int = field(metadata={"help": "1-based number the answer cites as [n]."})
    text: str = field(metadata={"help": "Passage text, verbatim from the notes."})
    breadcrumbs: list[str] = field(default_factory=list, metadata={"help": "Section path, outermost first."})
    kind: str = field(default="note", metadata={"help": "'note' or 'code'."})

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"source numbers start at 1, got {self.n}")


def _tight(text: str, max_words: int) -> str:
    words = " ".join(text.split()).split(" ")
    return " ".join(words) if len(words) <= max_words else " ".join(words[:max_words]) + " ..."


def format_source(source: PromptSource, max_words: int = 120) -> str:
    crumbs = f"({' > '.join(source.breadcrumbs)}) " if source.breadcrumbs else ""
    return f"[{source.n}] {crumbs}{_tight(source.text, max_words)}"


def build_messages(
    question: str, sources: Sequence[PromptSource], *, max_source_words: int = 120
) -> list[dict[str, str]]:
    """ChatML-style messages: fixed system prompt, then numbered sources and the question."""
    if not question.strip():
        raise ValueError("question is empty")
    listed = "\n".join(format_source(s, max_source_words) for s in sources) or "(no sources)"
    user = f"Sources:\n{listed}\n\nQuestion: {' '.join(question.split())}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def is_refusal(answer: str) -> bool:
    """True when the answer is (or starts with) the fixed refusal sentence."""
    norm = " ".join(answer.split()).lower()
    return norm.startswith(REFUSAL.lower().rstrip("."))


def render_chatml(messages: Sequence[dict[str, str]], *, add_generation_prompt: bool = True) -> str:
    """ChatML text (SmolLM2's template) shared by training and every backend, so they see one format."""
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return text + "<|im_start|>assistant\n" if add_generation_prompt else text


def fixed_prefix() -> str:
    """The part of every prompt that never changes: backends keep its KV cache warm."""
    return render_chatml([{"role": "system", "content": SYSTEM_PROMPT}], add_generation_prompt=False)


END_OF_TURN = "<|im_end|>"
