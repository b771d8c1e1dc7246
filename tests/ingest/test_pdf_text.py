"""A lecture PDF made the way a student makes one (matplotlib's PdfPages, real fonts, mathtext): its text is
read as the page shows it, hyphenated line breaks joined, and the PDF's own title names the document."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ingest.loaders import LoadedFile, load_file
from ingest.pdf_text import join_hyphenated, normalize
from ingest.structure import infer_structure


def matplotlib_pdf(pages: list[list[str]], title: str | None = None, size: float = 12) -> bytes:
    """One page per list, its lines one below the other (DejaVu Sans, mathtext between $...$)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    out = io.BytesIO()
    with PdfPages(out, metadata={"Title": title} if title is not None else None) as pdf:
        for lines in pages:
            fig = plt.figure(figsize=(8.5, 11))
            for n, line in enumerate(lines):
                fig.text(0.08, 0.92 - n * (size / 400), line, fontsize=size)
            pdf.savefig(fig)
            plt.close(fig)
    return out.getvalue()


def load(tmp_path: Path, data: bytes, name: str = "lecture3.pdf") -> LoadedFile:
    (tmp_path / name).write_bytes(data)
    return load_file(tmp_path / name, name)


def test_accents_ligatures_and_line_end_hyphens_read_as_the_page_shows_them(tmp_path: Path) -> None:
    page = [
        "Sample means",
        "The sample mean $\\bar{x}$ estimates the population mean.",
        "Written plainly, x\u0304 is the same estimate.",
        "A ﬁnite sample has a well-known variance that is never nega-",
        "tive, and self-attention is not a statistics word: self-",
        "attention again.",
    ]
    loaded = load(tmp_path, matplotlib_pdf([page], size=20))
    text = loaded.source.text
    assert "The sample mean x\u0304 estimates" in text  # mathtext draws the macron first
    assert "Written plainly, x\u0304 is" in text  # not "x̄x̄": matplotlib maps both glyphs to the cluster
    assert "finite" in text and "ﬁ" not in text
    assert "well-known" in text  # a hyphen inside a line is the word's
    assert "never negative,\nand" in text  # the rest of the line stays a line
    assert "word: self-attention\nagain." in text  # the document writes it with a hyphen elsewhere
    (section,) = infer_structure(loaded).sections
    assert section.breadcrumbs == ("lecture3", "Sample means")
    assert text[section.start : section.end].startswith("Sample means")
    assert loaded.pages == ((0, len(text)),)


def test_a_hyphen_at_a_line_end_is_dropped_unless_the_document_spells_the_word_with_it() -> None:
    pages = ["non-\nlinear models and non-linear terms", "a non-\nparametric\ntest", "pre-\n2020 data, Bayes-\nIan"]
    assert join_hyphenated(pages) == [
        "non-linear\nmodels and non-linear terms",  # "non-linear" written mid-line, "nonlinear" nowhere
        "a nonparametric\ntest",  # the fragment was its line: no line is left empty
        "pre-\n2020 data, Bayes-\nIan",  # a number or a capital after the break: no word was broken
    ]


def test_a_compound_or_a_break_tex_would_not_make_keeps_its_hyphen() -> None:
    pages = ["state-of-the-\nart method", "k-\nmeans and Q-\nlearning"]
    assert join_hyphenated(pages) == ["state-of-the-art\nmethod", "k-means\nand Q-learning"]


def test_a_long_run_of_letters_is_read_in_linear_time() -> None:
    """Each break is tried from a word's start only: a 100,000-letter run (base64, a hex dump) took 70 s."""
    run = "a" * 100_000
    assert join_hyphenated([run, run + "-\nbcd"]) == [run, run + "bcd"]


def test_superscripts_and_fractions_keep_their_meaning() -> None:
    assert normalize("σ² = ½ E[(X \u2212 μ)²], ﬂat 𝑥\u00a0here") == "σ² = ½ E[(X \u2212 μ)²], flat x here"
    assert normalize("ℓ1 on ℝⁿ") == "ℓ1 on ℝⁿ"  # letterlike symbols are not plain letters


@pytest.mark.parametrize(
    ("title", "crumb"),
    [
        ("Probability, Lecture 3: Sample means", "Probability, Lecture 3: Sample means"),
        ("Untitled", "lecture3"),
        ("   ", "lecture3"),
        ("C:\\Users\\me\\lecture3.docx", "lecture3"),
        ("lecture3.pdf", "lecture3"),
        ("Untitled-1", "lecture3"),
        ("Document clustering with Node.js", "Document clustering with Node.js"),
        ("TCP/IP networking", "TCP/IP networking"),  # a slash is no path
        ("Microsoft Word - Document1", "lecture3"),  # an exporter's placeholder
        ("Microsoft PowerPoint - Sample means", "Sample means"),
    ],
)
def test_the_pdf_title_names_the_document_when_it_is_a_title(tmp_path: Path, title: str, crumb: str) -> None:
    loaded = load(tmp_path, matplotlib_pdf([["Sample means", "The sample mean is unbiased."]], title=title))
    (section,) = infer_structure(loaded).sections
    assert loaded.source.doc == "lecture3.pdf"
    assert section.breadcrumbs == (crumb, "Sample means")
