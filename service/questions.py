"""The one rule for what question (or search query) the service takes: every way in (/api/ask, /api/search,
/v1, MCP, feedback, `notecite ask` and `notecite search`) checks it here, so that none of them imports a route."""

from __future__ import annotations

from core.settings import Settings
from service.errors import ApiError

EMPTY = {
    "question": "the question is empty; type what you want to know",
    "query": "the query is empty; say what to look for",
}


def check_question(question: str, settings: Settings, param: str = "question") -> str:
    """The question (or a search's query) stripped, or the ApiError that refuses it (`param`: the field that
    carried it)."""
    noun = "query" if param == "query" else "question"
    question = question.strip()
    if not question:
        raise ApiError(422, f"empty {noun}", EMPTY[noun], param)
    if len(question) > settings.limits.max_question_chars:
        raise ApiError(
            413,
            f"{noun} too long",
            f"the {noun} has {len(question)} characters; the limit is {settings.limits.max_question_chars}",
            param,
        )
    return question
