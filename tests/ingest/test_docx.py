"""Word documents: the extracted text, headings from paragraph styles, list items, table rows, code, and every
way a .docx can be unreadable (a clear skip, nothing else lost). Files are built here as Word writes them: a zip
of XML parts whose styles are named in styles.xml and whose lists are defined in numbering.xml."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from ingest.docx import MAX_UNZIPPED_BYTES, MIN_UNZIPPED_BYTES, OLE_MAGIC, load_docx, unzipped_budget
from ingest.errors import SkippedFile
from ingest.loaders import LoadedFile, load_file
from ingest.passages import section_nodes
from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.store import IndexReader, open_index
from ingest.structure import infer_structure
from tests.ingest.docx_files import Block, W, docx_bytes
from tests.ingest.test_passages import assert_exact_slices
from tests.scaling import assert_linear, cpu_seconds

LECTURE: list[Block] = [
    ("Titel", "Bayesian Inference"),
    ("berschrift1", "Priors"),
    ("", "A prior encodes what we believe about a parameter before seeing data"),
    ("bullet", "Beta is conjugate to the binomial."),
    ("bullet", "  Its mean is a / (a + b)."),
    ("number", "Choose a prior."),
    ("number", "Compute the posterior."),
    ("berschrift2", "Conjugate pairs"),
    ("table", [["Likelihood", "Prior"], ["Binomial", "Beta"], ["", ""]]),
    ("Code", "theta = beta(a + k, b + n - k)\n    .mean()"),
    ("berschrift1", "Sampling"),
    ("", "Metropolis accepts a move with probability min(1, r).\nA symmetric proposal cancels."),
]
# the text derived by hand from LECTURE: a blank line between paragraphs, one line per item and per row
LECTURE_TEXT = (
    "Bayesian Inference\n\n"
    "Priors\n\n"
    "A prior encodes what we believe about a parameter before seeing data\n"  # a list stays with its lead-in
    "- Beta is conjugate to the binomial.\n"
    "  - Its mean is a / (a + b).\n"
    "1. Choose a prior.\n"
    "2. Compute the posterior.\n\n"
    "Conjugate pairs\n\n"
    "Likelihood | Prior\n"
    "Binomial | Beta\n\n"
    "theta = beta(a + k, b + n - k)\n    .mean()\n\n"
    "Sampling\n\n"
    "Metropolis accepts a move with probability min(1, r).\nA symmetric proposal cancels."
)


def test_styles_give_headings_items_rows_and_code() -> None:
    loaded = load_docx("lecture.docx", docx_bytes(LECTURE))
    text = loaded.source.text
    assert text == LECTURE_TEXT
    assert [(h.level, h.title, text[h.start : h.end]) for h in loaded.headings] == [
        (0, "Bayesian Inference", "Bayesian Inference"),
        (1, "Priors", "Priors"),
        (2, "Conjugate pairs", "Conjugate pairs"),
        (1, "Sampling", "Sampling"),
    ]
    assert [text[s:e] for s, e in loaded.code] == ["theta = beta(a + k, b + n - k)\n    .mean()"]
    sections = infer_structure(loaded).sections
    assert [s.breadcrumbs for s in sections] == [
        ("Bayesian Inference", "Priors"),
        ("Bayesian Inference", "Priors", "Conjugate pairs"),
        ("Bayesian Inference", "Sampling"),
    ]
    assert sections[1].code == loaded.code
    assert_exact_slices(text, section_nodes(loaded.source, sections))


def test_deleted_changes_field_codes_and_text_box_copies_are_no_text() -> None:
    document = (
        f'<w:document xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        "<w:body><w:p><w:r><w:t>Kept </w:t></w:r><w:del><w:r><w:delText>deleted </w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>inserted</w:t></w:r></w:ins>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t> 7</w:t></w:r>'
        "<w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>Boxed note.</w:t></w:r></w:p>"
        "</w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>Boxed note.</w:t></w:r></w:p>"
        "</w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", document)  # no styles, numbering or relationships: defaults
    assert load_docx("d.docx", out.getvalue()).source.text == "Kept inserted 7\n\nBoxed note."


def zip_of(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


UNREADABLE = [
    (OLE_MAGIC + b"\0" * 600, "encrypted (password-protected) or old-format Word file"),
    (b"PK\x03\x04 truncated", "not a .docx zip archive"),
    (b"plain text renamed to .docx", "not a .docx zip archive"),
    (zip_of({"content.xml": "<office/>"}), "the archive has no word/document.xml"),
    (zip_of({"word/document.xml": "<w:document><w:body>"}), "broken XML"),
    (zip_of({"word/document.xml": '<!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'}), "declares a DTD"),
    (zip_of({"word/document.xml": f'<w:document xmlns:w="{W}"><w:body><w:p/></w:body></w:document>'}), "no text"),
]


@pytest.mark.parametrize(("data", "reason"), UNREADABLE)
def test_an_unreadable_docx_is_skipped_with_its_reason(data: bytes, reason: str) -> None:
    with pytest.raises(SkippedFile) as caught:
        load_docx("bad.docx", data)
    assert reason in str(caught.value) and "\n" not in str(caught.value)


def test_a_broken_docx_loses_nothing_else(tmp_path: Path, embedder) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "locked.docx").write_bytes(OLE_MAGIC + b"\0" * 600)
    (notes / "lecture.docx").write_bytes(docx_bytes(LECTURE))
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", embedder)
    assert report.files == 1
    assert [(doc, "encrypted" in reason) for doc, reason in report.skipped] == [("locked.docx", True)]
    assert load_file(notes / "lecture.docx", "lecture.docx").source.text == LECTURE_TEXT


# tests/fixtures/ingest/lecture.docx was written by python-docx 1.2.0 from Word's own default template (its
# styles.xml and numbering.xml): add_heading(..., 0/1/2), runs in bold and italic, the styles List Bullet,
# List Bullet 2 and List Number, a 3x2 table, a tab and a page break
PYTHON_DOCX_TEXT = (
    "Bayesian Inference\n\n"
    "Priors\n\n"
    "A prior encodes what we believe about a parameter before seeing data.\n"  # four runs, one sentence
    "- Beta is conjugate to the binomial.\n"
    "  - Its mean is a / (a + b).\n"  # List Bullet 2: one numbering level of its own, nested by its name
    "- Gamma is conjugate to the Poisson.\n"
    "1. Choose a prior.\n"
    "2. Compute the posterior.\n\n"
    "Conjugate pairs\n\n"
    "Likelihood | Prior\n"
    "Binomial | Beta\n"
    "Poisson | Gamma\n\n"
    "Posterior mean:\t(a + k) / (a + b + n)\n\n"  # the page break after it ends the paragraph, no text
    "Sampling\n\n"
    "Metropolis accepts a move with probability min(1, r)."
)


def test_a_document_written_from_words_default_template(fixtures_dir: Path) -> None:
    loaded = load_file(fixtures_dir / "lecture.docx", "lecture.docx")
    assert loaded.source.text == PYTHON_DOCX_TEXT
    assert loaded.title is None  # the stale core title "Microsoft Word - old.doc" names nothing
    sections = infer_structure(loaded).sections
    assert [s.breadcrumbs for s in sections] == [
        ("Bayesian Inference", "Priors"),
        ("Bayesian Inference", "Priors", "Conjugate pairs"),
        ("Bayesian Inference", "Sampling"),
    ]


def numbered_lists(n: int) -> bytes:
    """A .docx of `n - 1` numbered lists of one item each."""
    items = "".join(
        f'<w:p><w:pPr><w:numPr><w:numId w:val="{i}"/></w:numPr></w:pPr><w:r><w:t>item</w:t></w:r></w:p>'
        for i in range(1, n)
    )
    lists = "".join(f'<w:num w:numId="{i}"><w:abstractNumId w:val="1"/></w:num>' for i in range(1, n))
    numbered = '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl>'
    numbered += "</w:abstractNum>"
    return zip_of(
        {
            "word/document.xml": f'<w:document xmlns:w="{W}"><w:body>{items}</w:body></w:document>',
            "word/numbering.xml": f'<w:numbering xmlns:w="{W}">{numbered}{lists}</w:numbering>',
        }
    )


def test_many_numbered_lists_load_in_linear_time() -> None:
    """Each item walked every list's counters: 20,000 one-item numbered lists took 7.6 s, now under 1 s. Ten
    times the lists take ~10x the CPU time (with that walk put back: 61x from 2,000 lists to 20,000)."""
    assert_linear(lambda data: load_docx("lists.docx", data), numbered_lists, 2_000)
    assert load_docx("lists.docx", numbered_lists(3)).source.text.split("\n") == ["1. item", "1. item"]


def with_document_bytes(data: bytes, old: bytes, new: bytes) -> bytes:
    """`data` (a .docx) with `old` replaced by `new` in its word/document.xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "word/document.xml":
                assert old in body
                body = body.replace(old, new)
            archive.writestr(info.filename, body)
    return out.getvalue()


def test_a_huge_list_level_is_indented_like_words_deepest() -> None:
    """w:ilvl 50,000,000 indented a 1 KB file's one item by 100 M spaces; Word's levels are 0-8."""
    data = docx_bytes([("bullet", "first item")])
    data = with_document_bytes(data, b'w:ilvl w:val="0"', b'w:ilvl w:val="50000000"')
    assert load_docx("deep.docx", data).source.text == "  " * 8 + "- first item"  # 28 characters


def empty_paragraphs_docx(n: int) -> bytes:
    """The reviewer's zip bomb: `n` empty paragraphs (6 bytes each, compressed ~1000x) then one with text."""
    document = f'<w:document xmlns:w="{W}"><w:body>' + "<w:p/>" * n
    document += "<w:p><w:r><w:t>hello there</w:t></w:r></w:p></w:body></w:document>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def test_a_docx_that_unzips_to_far_more_than_its_size_is_a_zip_bomb() -> None:
    """12 MB of empty paragraphs in 17.7 KB took 21 s and 233 MB to load (64 MB a part was allowed)."""
    bomb = empty_paragraphs_docx(400_000)  # 2.4 MB of XML in ~3 KB
    assert unzipped_budget(len(bomb)) == MIN_UNZIPPED_BYTES  # 20 x 3 KB is under the floor
    with pytest.raises(SkippedFile, match="zip bomb"):
        load_docx("bomb.docx", bomb)
    small = empty_paragraphs_docx(1_000)  # 6 KB of XML: a document, however empty
    assert load_docx("small.docx", small).source.text == "hello there"


def test_the_unzipped_budget_grows_with_the_file_up_to_a_cap() -> None:
    assert unzipped_budget(37_107) == MIN_UNZIPPED_BYTES  # tests/fixtures/ingest/lecture.docx (styles 350 KB)
    assert unzipped_budget(500_000) == 10_000_000  # 20 x the file
    assert unzipped_budget(2_000_000) == 16_000_000  # the cap: 40 MB would be ~70 s of empty paragraphs


def run(text: str, properties: str = "") -> str:
    return f'<w:r><w:rPr>{properties}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'


SHOWN = '<w:vanish w:val="0"/>'  # the property switched off: the run is shown
# a character style that hides ("Loesung"), one based on it, and the property switched off in a run of it
HIDING_STYLES = (
    f'<w:styles xmlns:w="{W}">'
    '<w:style w:type="character" w:styleId="Loesung"><w:name w:val="Loesung"/><w:rPr><w:vanish/></w:rPr></w:style>'
    '<w:style w:type="character" w:styleId="LoesungFett"><w:basedOn w:val="Loesung"/><w:rPr><w:b/></w:rPr></w:style>'
    "</w:styles>"
)
KEY, BOLD_KEY = '<w:rStyle w:val="Loesung"/>', '<w:rStyle w:val="LoesungFett"/>'


def indexed_worksheet(tmp_path: Path, embedder, docx: bytes, other_note: str) -> IndexReader:
    """The index of a worksheet.docx beside two short notes: a word in one note of three has weight (of two, none)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "worksheet.docx").write_bytes(docx)
    for name, note in [("is.txt", "Importance weights correct for a proposal."), ("hmc.txt", other_note)]:
        (notes / name).write_text(note + "\n")
    ingest_corpus([CorpusRoot(notes)], tmp_path / "index", embedder)
    return open_index(tmp_path / "index")


def test_hidden_text_is_not_indexed(tmp_path: Path, embedder) -> None:
    """A teacher hides the answer key with Font > Hidden (`<w:vanish/>`) or a character style that hides: Word
    neither shows nor prints it, and before it was indexed and quotable ("Answer: the Gibbs sampler" searched
    and quoted in the worksheet)."""
    document = (
        f'<w:document xmlns:w="{W}"><w:body>'
        f"<w:p>{run('Question 1: which sampler draws each parameter from its full conditional? ')}"
        f"{run('Answer: the Gibbs sampler.', '<w:vanish/>')}</w:p>"
        f"<w:p>{run('Solution key: Metropolis within Gibbs.', '<w:b/><w:vanish/>')}</w:p>"  # a paragraph all hidden
        f"<w:p>{run('Shown again ')}{run('despite the property.', SHOWN)}</w:p>"
        f"<w:p>{run('Key: the trace plots.', BOLD_KEY)}</w:p>"
        f"<w:p>{run('Shown in ')}{run('its style.', KEY + SHOWN)}</w:p>"
        "</w:body></w:document>"
    )
    docx = zip_of({"word/document.xml": document, "word/styles.xml": HIDING_STYLES})
    reader = indexed_worksheet(tmp_path, embedder, docx, "HMC follows gradients.")
    # the text by hand: the visible runs of each paragraph, a blank line between paragraphs, the hidden one gone
    assert reader.source_text("worksheet.docx") == (
        "Question 1: which sampler draws each parameter from its full conditional?\n\n"
        "Shown again despite the property.\n\n"
        "Shown in its style."
    )
    assert not any(reader.bm25_search(words, 5) for words in ("gibbs", "solution key", "trace plots"))
    assert len(reader.bm25_search("full conditional", 5)) == 1


ROOTS = {"word/document.xml": "w:document", "word/styles.xml": "w:styles", "word/numbering.xml": "w:numbering"}


def padded_docx(part: str, element: str, n: int) -> bytes:
    """The reviewer's padded file: 2 MB of pictures (so it may unzip to the 16 MB cap) and `n` copies of an
    empty `element` in `part`, beside one paragraph of text."""
    parts = {name: f'<{root} xmlns:w="{W}">' for name, root in ROOTS.items()}
    parts["word/document.xml"] += "<w:body>"
    parts[part] += element * n
    parts["word/document.xml"] += "<w:p><w:r><w:t>hello there</w:t></w:r></w:p></w:body>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, root in ROOTS.items():
            archive.writestr(name, f"{parts[name]}</{root}>")
        picture = random.Random(0).randbytes(2_000_000)  # a photo does not compress
        archive.writestr("word/media/image1.jpeg", picture, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


@pytest.mark.parametrize(
    ("part", "element"),
    [
        ("word/document.xml", "<w:p/>"),
        ("word/document.xml", "<w:p><w:pPr/></w:p>"),
        ("word/document.xml", "<w:tbl><w:tr><w:tc/></w:tr></w:tbl>"),
        ("word/styles.xml", "<w:style/>"),
        ("word/numbering.xml", "<w:num/>"),
    ],
)
def test_a_padded_docx_reads_in_time_for_its_text(part: str, element: str) -> None:
    """Padded to the unzipped cap (16 MB of XML), a 2 MB file took 27-30 s to read on a busy machine (12.9 s of
    CPU, 23 times what parsing its XML takes): each of 2.6 M empty paragraphs was read in Python, and empty
    styles and lists as well (16 and 7 times the parse). What holds no text or format is now passed over in C:
    the read costs at most 1.7 times the parse (bound 4: a busy machine's caches, the bug's 6.6 at least). CPU time
    of this thread, as `tests.scaling` measures it."""
    n = (MAX_UNZIPPED_BYTES - 2_000) // len(element)
    data = padded_docx(part, element, n)
    assert unzipped_budget(len(data)) == MAX_UNZIPPED_BYTES
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    parse_s = min(cpu_seconds(lambda: ElementTree.fromstring(xml)) for _ in range(2))
    loaded: list[LoadedFile] = []
    read_s = cpu_seconds(lambda: loaded.append(load_docx("padded.docx", data)))
    assert loaded[0].source.text == "hello there" and read_s < 4 * parse_s, (read_s, parse_s)
    with pytest.raises(SkippedFile, match="zip bomb"):  # 2 KB more than the budget is still refused
        load_docx("bomb.docx", padded_docx(part, element, n + 4_000 // len(element)))
