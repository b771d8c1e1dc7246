"""The closing marks have one home (core.text.CLOSING_MARKS): each one, after a stop, ends a sentence for the
quote splitter (SENTENCE_END), a passage (STATEMENT_END) and a heading check of ingest.toc alike."""

from __future__ import annotations

import pytest

from core.text import CLOSING_MARKS, SENTENCE_END, STATEMENT_END, sentence_spans
from ingest.toc import _SENTENCE_END as TOC_SENTENCE_END


@pytest.mark.parametrize("mark", list(CLOSING_MARKS))
def test_every_closing_mark_ends_a_sentence_everywhere(mark: str) -> None:
    text = f"He said stop.{mark} Then he left."
    end = len("He said stop.") + 1
    assert SENTENCE_END.search(text).end() == end
    assert STATEMENT_END.search(text).end() == end
    assert TOC_SENTENCE_END.search(f"stop.{mark}")
    assert len(sentence_spans(text)) == 2


def test_a_mark_that_closes_nothing_does_not_end_a_sentence() -> None:
    assert SENTENCE_END.search("He said stop.( Then he left.") is None
    assert not TOC_SENTENCE_END.search("stop.(")
