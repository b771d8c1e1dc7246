"""A PDF's pages: running headers, footers and page numbers are context; a page's title line names its section."""

from __future__ import annotations

import io
from pathlib import Path

from ingest.loaders import load_file
from ingest.structure import infer_structure

HEADER = "STAT 201 - Lecture notes - Fall 2026"
PAGES = [
    [
        HEADER,
        "Expectation and variance",
        "The variance measures the spread of a random variable around its mean.",
        "Variance is never negative, and it is zero only for a constant.",
        "Page 1",
    ],
    [
        HEADER,
        "Central limit theorem",
        "The standardized sum of many independent variables with finite variance",
        "converges in distribution to a normal distribution.",
        "Page 2",
    ],
    [
        HEADER,
        "the sample mean is unbiased for the population mean, whatever the sample size.",
        "Page 3",
    ],
]


def pdf_with_lines(pages: list[list[str]]) -> bytes:
    """A PDF whose pages hold these lines of Helvetica text, one below the other (pypdf writes it)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    def literal(line: str) -> str:
        return "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject(k): NameObject(v)
            for k, v in [("/Type", "/Font"), ("/Subtype", "/Type1"), ("/BaseFont", "/Helvetica")]
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        content = DecodedStreamObject()
        content.set_data(
            ("BT /F1 11 Tf 14 TL 72 740 Td " + " T* ".join(f"{literal(x)} Tj" for x in lines) + " ET").encode()
        )
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_running_lines_are_context_and_title_lines_name_their_page(tmp_path: Path) -> None:
    (tmp_path / "lecture.pdf").write_bytes(pdf_with_lines(PAGES))
    loaded = load_file(tmp_path / "lecture.pdf", "lecture.pdf")
    text = loaded.source.text
    sections = infer_structure(loaded).sections
    assert [s.breadcrumbs for s in sections] == [
        ("lecture", "Expectation and variance"),
        ("lecture", "Central limit theorem"),
        ("lecture", "Page 3"),  # opens with a sentence, not a title
    ]
    context = [[text[s:e] for s, e in section.context] for section in sections]
    assert context == [
        [HEADER, "Expectation and variance", "Page 1"],
        [HEADER, "Central limit theorem", "Page 2"],
        [HEADER, "Page 3"],
    ]


def test_a_sentence_wrapped_after_a_short_first_line_is_no_title(tmp_path: Path) -> None:
    lines = ["The sample mean", "converges to the population mean as n grows.", "Page 4"]
    (tmp_path / "wrap.pdf").write_bytes(pdf_with_lines([lines]))
    loaded = load_file(tmp_path / "wrap.pdf", "wrap.pdf")
    (section,) = infer_structure(loaded).sections
    assert section.breadcrumbs == ("wrap", "Page 1")
    assert [loaded.source.text[s:e] for s, e in section.context] == ["Page 4"]


def test_a_line_on_one_page_only_stays_content(tmp_path: Path) -> None:
    """A single page has no running lines but its page number; a sentence repeated mid-page is no header."""
    (tmp_path / "one.pdf").write_bytes(pdf_with_lines([[HEADER, "Variance is never negative.", "7"]]))
    loaded = load_file(tmp_path / "one.pdf", "one.pdf")
    (section,) = infer_structure(loaded).sections
    assert [loaded.source.text[s:e] for s, e in section.context] == ["7"]
    assert section.breadcrumbs == ("one", "Page 1")
