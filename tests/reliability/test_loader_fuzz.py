"""Every loader and the structure inference on random bytes and adversarial text.

Each file ends one of two ways: a clean `SkippedFile` with a one-line reason (the per-file warning an
ingest reports), or passages whose text is exactly their span of the source text. Anything else (an
exception, a span that does not match) would abort an ingest or put a wrong citation in an answer.
Suffixes come from the loaders themselves, so a new format is fuzzed the day it is added.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.corpus_files import CorpusRoot, document_nodes
from ingest.errors import SkippedFile
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.passages import PassageParams
from ingest.pipeline import ingest_corpus
from tests.reliability.adversarial import CASES

MAX_FILE_BYTES = 5_000_000
SUFFIXES = sorted(SUPPORTED_SUFFIXES | {".ipynb"})  # a notebook-shaped zip bomb meets whatever reads .ipynb
SMALL = PassageParams(min_tokens=8, max_tokens=24)  # many passage boundaries per example


def outcome(path: Path, doc: str, params: PassageParams = SMALL) -> str:
    """'skipped: reason' or 'indexed: n passages', after checking every node is its exact source slice."""
    root = CorpusRoot(path.parent, kind="code" if path.suffix == ".py" else "note")
    try:
        result = document_nodes(path, doc, root, MAX_FILE_BYTES, params)
    except SkippedFile as exc:
        reason = str(exc)
        assert reason and "\n" not in reason, f"{doc}: a skip reason is one line: {reason!r}"
        return f"skipped: {reason}"
    if result is None:
        return "skipped: nothing to cite"
    record, text, nodes = result
    for node in nodes:
        start, end = node.metadata["start"], node.metadata["end"]
        assert 0 <= start < end <= len(text), f"{doc}: span {start}-{end} outside the text"
        assert node.text == text[start:end], f"{doc}: node text is not its span {start}-{end}"
        for s, e in node.metadata.get("context_spans", []):
            assert start <= s < e <= end, f"{doc}: context span {s}-{e} outside its node"
        rows = [(s, e) for s, e in node.metadata.get("row_spans", [])]
        for s, e in node.metadata.get("cell_break_spans", []):  # a "|" between two cells of a row of the node
            assert text[s:e] == "|" and any(row_s <= s < row_e for row_s, row_e in rows), (
                f"{doc}: cell break {s} is no row's '|'"
            )
    passages = sum(n.metadata["level"] == "passage" for n in nodes)
    assert passages == record.n_passages
    return f"indexed: {passages} passages"


@functools.cache
def case(name: str) -> bytes:
    return CASES[name]()


@pytest.mark.parametrize("name", sorted(CASES))
def test_named_adversarial_files_skip_cleanly_or_index_exactly(name: str, tmp_path: Path, figures) -> None:  # noqa: ANN001
    path = tmp_path / name
    path.write_bytes(case(name))
    result = outcome(path, name, PassageParams())
    figures.add("loaders", inputs=1, skipped=result.startswith("skipped"))
    expected = {  # the cases whose right answer is known: the others may go either way, but cleanly
        "deep-divs.html": "indexed",
        "ragged-tables.html": "indexed",
        "utf16-bom.txt": "indexed",
        "utf16-bom.md": "indexed",
        "crlf.md": "indexed",
        "lone-cr.txt": "indexed",
        "valid.pdf": "indexed",
        "nul-bytes.txt": "skipped",
        "fake.pdf": "skipped",
        "flate-bomb.pdf": "skipped",
        "zip-bomb.pdf": "skipped",
        "zip-bomb.ipynb": "skipped",
        "only-whitespace.txt": "skipped",
    }
    if name in expected:
        assert result.startswith(expected[name]), f"{name}: {result}"


BYTES = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(max_size=500).map(lambda t: t.encode("utf-16", "surrogatepass")),
    st.text(max_size=1000).map(lambda t: t.encode("utf-8", "surrogatepass") + b"\xff\xfe\xc3\x28"),
)
LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\r"])
PIECE = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["# Title", "## Part", "- item", "  - nested", "> quote", "```", "<div>", "</div>", "<h2>H</h2>"]),
    st.sampled_from(["What is it?", "Table of Contents", "type: note", "\x00", "\ufeff", "\u202e", "\t\t", ""]),
    st.integers(1, 300).map(lambda n: "<div>" * n + "x" + "</div>" * n),
    st.integers(1, 300).map(lambda n: "".join("  " * i + "- i\n" for i in range(n))),
    st.integers(1, 20_000).map(lambda n: "w" * n),  # long single lines
)
DOCUMENT = st.tuples(st.lists(PIECE, max_size=40), LINE_ENDS).map(lambda d: d[1].join(d[0]).encode("utf-8", "replace"))


def fuzz_settings(examples: int):  # noqa: ANN201
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)


FILES = st.tuples(st.one_of(BYTES, DOCUMENT), st.sampled_from(SUFFIXES))


def try_file(folder: Path, file: tuple[bytes, str], figures) -> None:  # noqa: ANN001
    data, suffix = file
    path = folder / f"note{suffix}"
    path.write_bytes(data)
    result = outcome(path, path.name)
    figures.add("loaders", inputs=1, skipped=result.startswith("skipped"))


@fuzz_settings(40)
@given(file=FILES)
def test_random_bytes_in_every_format(tmp_path_factory: pytest.TempPathFactory, file: tuple[bytes, str], figures):  # noqa: ANN001
    try_file(tmp_path_factory.mktemp("fuzz"), file, figures)


@pytest.mark.exhaustive
@fuzz_settings(3000)
@given(file=FILES)
def test_random_bytes_in_every_format_long(tmp_path_factory: pytest.TempPathFactory, file: tuple[bytes, str], figures):  # noqa: ANN001
    try_file(tmp_path_factory.mktemp("fuzz"), file, figures)


def test_an_ingest_of_every_bad_file_completes_and_reports_each(tmp_path: Path, figures, embedder) -> None:  # noqa: ANN001
    """The whole pipeline over a folder of them: one generation, each bad file a skip with its reason."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in CASES:
        if not name.startswith(("huge", "deep-list")):  # long to embed; the test above loads them
            (notes / name).write_bytes(case(name))
    (notes / "good.md").write_text("# Good\n\nA good note about deltas.\n")
    outside = tmp_path / "secret.txt"
    outside.write_text("a secret outside the notes folder")
    (notes / "link.txt").symlink_to(outside)
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", embedder, max_file_bytes=MAX_FILE_BYTES)
    skipped = dict(report.skipped)
    assert "link.txt" in skipped and "outside" in skipped["link.txt"]
    assert report.files + len(report.skipped) == len([p for p in notes.iterdir() if p.suffix in SUPPORTED_SUFFIXES])
    assert "good.md" not in skipped and report.generation
    figures.add("loaders", ingests=1)


@pytest.fixture(scope="module")
def embedder():  # noqa: ANN201
    from models.embedder import load_embedder

    return load_embedder("all-MiniLM-L6-v2")
