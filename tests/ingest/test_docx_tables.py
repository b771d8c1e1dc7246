"""A Word table's header row: a row repeated as the header on each page names the columns and is context (never
quoted, the label of each row's cells: service.table_quotes); a table that declares none has no header row."""

from __future__ import annotations

import pytest

from ingest.docx import load_docx
from tests.ingest.docx_files import docx_bytes

ROWS = [["Likelihood", "Conjugate prior"], ["Poisson", "Gamma"], ["Binomial", "Beta"]]


@pytest.mark.parametrize(("kind", "context"), [("header table", ((0, 28),)), ("table", ())])
def test_a_repeated_header_row_is_context(kind: str, context: tuple) -> None:
    loaded = load_docx("priors.docx", docx_bytes([(kind, ROWS)]))
    # by hand: one line per row, cells joined by " | "; "Likelihood | Conjugate prior" is 28 characters
    assert loaded.source.text == "Likelihood | Conjugate prior\nPoisson | Gamma\nBinomial | Beta"
    assert loaded.context == context
