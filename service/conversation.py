"""Follow-up questions: rewrite a question that leans on earlier turns into one retrieval can use.

"and how is it merged at inference time?" retrieves nothing useful alone; prefixed with the earlier
question about LoRA it does. A rule, not an LLM call, so rewriting costs nothing and never invents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from core.text import content_words

FOLLOW_UP_START = re.compile(r"^\s*(and|but|so|also|then|what about|how about|why|and why|what else)\b", re.I)
PRONOUN = re.compile(r"\b(it|its|it's|this|that|these|those|they|them|their|one|ones|the same)\b", re.I)


def is_follow_up(question: str) -> bool:
    """A question that starts like a continuation, or is short and leans on a pronoun."""
    topic_words = [w for w in content_words(question) if len(w) > 3 and not w.isdigit()]
    return bool(FOLLOW_UP_START.match(question)) or (bool(PRONOUN.search(question)) and len(topic_words) <= 3)


def rewrite_query(question: str, history: Sequence[dict[str, Any]] = ()) -> str:
    """The retrieval query for `question`: itself, or prefixed by the last user turn it follows up on."""
    previous = [t.get("content", "") for t in history if t.get("role") == "user" and t.get("content")]
    if not previous or not is_follow_up(question):
        return question
    return f"{previous[-1].strip()} {question.strip()}"
