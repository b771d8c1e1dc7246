"""What an ingest does not do twice: embed a text it already embedded (copies of a note), parse a file whose bytes
are unchanged, or embed a file too large to be worth the wait. Real files, the real embedder, real FAISS."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from core.settings import Settings
from ingest.passages import PassageParams
from ingest.pipeline import CorpusRoot, embedding_text, ingest_corpus, ingest_options
from ingest.reuse import PARSED_FILE, PARSER_LIBRARIES, parser_digest
from ingest.store import GENERATIONS, current_generation, open_index

# three sections of one sentence each: three passages, whose windows are the sentence itself (none embedded)
ADAM = (
    "# Adam\n\nAdam keeps running averages of the gradient and of its square.\n\n"
    "## Bias correction\n\nEarly averages are divided by one minus beta to the power t. "
    "Without it the first steps are too small.\n"
)
BOILERPLATE = "## Licence\n\nThese notes may be shared under CC BY 4.0. Ask before printing them.\n"


def docstore_rows(index: Path) -> dict[str, tuple]:
    """Every node of the live generation: (doc, text, metadata) by id, and each document's text and record."""
    reader = open_index(index)
    rows: dict[str, tuple] = {n.node_id: (n.text, n.metadata) for n in reader.get_nodes(reader.node_ids())}
    for record in reader.documents():
        text = reader.source_text(record.doc)
        rows[record.doc] = (record.sha256, record.kind, record.n_passages, record.warnings, text)
    reader.close()
    return rows


def assert_spans_exact(index: Path) -> None:
    """Every node is the exact slice of its document's text that its span says (what a citation opens)."""
    reader = open_index(index)
    for node in reader.get_nodes(reader.node_ids()):
        text = reader.source_text(node.metadata["doc"])
        assert text[node.metadata["start"] : node.metadata["end"]] == node.text
    reader.close()


def test_copies_of_a_note_are_embedded_once(tmp_path: Path, writer, make_counting) -> None:
    notes = writer(tmp_path / "notes", {"adam.md": ADAM, "copy of adam.md": ADAM, "sub/adam.md": ADAM})
    counting = make_counting()
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", counting)
    reader = open_index(tmp_path / "index")
    by_doc = {doc: reader.get_nodes([i for i in reader.node_ids(doc)]) for doc in ("adam.md", "copy of adam.md")}
    leaves = {doc: [n for n in nodes if n.metadata["level"] == "passage"] for doc, nodes in by_doc.items()}
    # each copy keeps its own passages (doc, span, id): 3 files x the passages of one
    per_file = len(leaves["adam.md"])
    assert per_file >= 2 and report.passages == 3 * per_file
    assert {n.metadata["doc"] for n in leaves["copy of adam.md"]} == {"copy of adam.md"}
    assert not {n.node_id for n in leaves["adam.md"]} & {n.node_id for n in leaves["copy of adam.md"]}
    # ... but each distinct embedded text went to the embedder once: a third of the passages
    assert report.embedded == per_file
    passage_texts = counting.texts[: report.embedded]
    assert sorted(passage_texts) == sorted(embedding_text(n) for n in leaves["adam.md"])
    windows = counting.texts[report.embedded :]
    assert len(windows) == len(set(windows)) == report.sentences_embedded
    assert report.sentence_windows >= 3 * report.sentences_embedded  # the copies' windows are rows of their own
    vectors = reader.vectors()
    for original, copy in zip(leaves["adam.md"], leaves["copy of adam.md"], strict=True):
        assert np.array_equal(vectors[original.node_id], vectors[copy.node_id])
    reader.close()
    assert_spans_exact(tmp_path / "index")


def test_a_window_that_is_its_whole_passage_takes_the_passage_vector(tmp_path: Path, writer, make_counting) -> None:
    # a note of two sentences: one passage, whose one two-sentence window is the passage's own text
    two = "Adam keeps running averages of the gradient. It also keeps averages of its square.\n"
    notes = writer(tmp_path / "notes", {"adam.txt": two})
    counting = make_counting()
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", counting)
    assert (report.passages, report.embedded, report.sentence_windows, report.sentences_embedded) == (1, 1, 1, 0)
    assert counting.texts == [two.strip()]


def test_a_copy_added_later_embeds_nothing(tmp_path: Path, writer, make_counting) -> None:
    notes = writer(tmp_path / "notes", {"adam.md": ADAM})
    ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    shutil.copy(notes / "adam.md", notes / "adam (1).md")
    counting = make_counting()
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", counting)
    # the live adam.md has every text of the copy: its passage vectors and its sentence windows are lent
    assert counting.texts == [] and report.embedded == report.sentences_embedded == 0
    assert report.files == 2 and report.parsed == 1  # adam.md itself was not parsed again


def test_boilerplate_section_in_two_notes_is_embedded_once(tmp_path: Path, writer, make_counting) -> None:
    # two notes of two sections, the second the same: the same text under the same section path, in two docs
    files = {
        "a.md": "## Adam\n\nAdam adapts.\n\n" + BOILERPLATE,
        "b.md": "## Momentum\n\nMomentum smooths.\n\n" + BOILERPLATE,
    }
    notes = writer(tmp_path / "notes", files)
    counting = make_counting()
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", counting, sentence_window=0)
    reader = open_index(tmp_path / "index")
    leaves = [n for n in reader.get_nodes(reader.node_ids()) if n.metadata["level"] == "passage"]
    licence = [n for n in leaves if "CC BY" in n.text]
    assert sorted((n.metadata["doc"], n.metadata["breadcrumbs"][-1]) for n in licence) == [
        ("a.md", "Licence"),
        ("b.md", "Licence"),
    ]
    assert report.passages == 4 and report.embedded == 3  # Adam, Momentum, the licence once
    assert sum("CC BY" in t for t in counting.texts) == 1
    reader.close()
    assert_spans_exact(tmp_path / "index")


def test_unchanged_files_keep_their_passages_without_parsing(tmp_path: Path, writer, make_counting) -> None:
    files = {"adam.md": ADAM, "b.md": BOILERPLATE, "sub/c.txt": "Momentum\nMomentum smooths the updates.\n"}
    notes = writer(tmp_path / "notes", files)
    first = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    assert first.parsed == first.files == 3
    (notes / "b.md").write_text(BOILERPLATE + "\n## Contact\n\nWrite to the author before reusing a figure.\n")
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    assert report.files == 3 and report.parsed == 1  # only b.md was read into passages
    # the same index as parsing every file anew: ids, texts, spans, metadata, records and document texts
    fresh = ingest_corpus([CorpusRoot(notes)], tmp_path / "fresh", make_counting())
    assert fresh.parsed == 3 and docstore_rows(tmp_path / "index") == docstore_rows(tmp_path / "fresh")
    assert_spans_exact(tmp_path / "index")
    # nothing changed since: no generation is written, nothing parsed
    live = current_generation(tmp_path / "index")
    again = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    assert again.parsed == 0 and again.generation == live


def test_touched_but_unchanged_bytes_are_not_parsed(tmp_path: Path, writer, make_counting) -> None:
    notes = writer(tmp_path / "notes", {"adam.md": ADAM, "b.md": BOILERPLATE})
    ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    (notes / "adam.md").write_text(ADAM)  # saved again, same bytes: a new mtime only
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    assert report.parsed == 0 and report.embedded == 0


@pytest.mark.parametrize("change", ["passage sizes", "generation written before the parser digest"])
def test_a_changed_parser_parses_every_file(tmp_path: Path, writer, make_counting, change: str) -> None:
    notes = writer(tmp_path / "notes", {"adam.md": ADAM, "b.md": BOILERPLATE})
    ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    params = None
    if change == "passage sizes":
        params = PassageParams(max_tokens=12, min_tokens=6)  # cuts ADAM's two-sentence section in two
    else:
        (tmp_path / "index" / GENERATIONS / current_generation(tmp_path / "index") / PARSED_FILE).unlink()
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting(), params=params)
    assert report.parsed == report.files == 2
    ingest_corpus([CorpusRoot(notes)], tmp_path / "fresh", make_counting(), params=params)
    assert docstore_rows(tmp_path / "index") == docstore_rows(tmp_path / "fresh")


def test_failed_ingest_after_reuse_leaves_the_live_generation(tmp_path: Path, writer, make_counting) -> None:
    notes = writer(tmp_path / "notes", {"adam.md": ADAM, "b.md": BOILERPLATE})
    ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    live, before = current_generation(tmp_path / "index"), docstore_rows(tmp_path / "index")
    (notes / "b.md").write_text("## Contact\n\nWrite to the author before reusing a figure.\n")
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting(fail_after=0))
    assert current_generation(tmp_path / "index") == live and docstore_rows(tmp_path / "index") == before
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    assert report.parsed == 1 and "Write to the author" in open_index(tmp_path / "index").source_text("b.md")


def test_a_file_of_too_many_passages_is_skipped_and_named(tmp_path: Path, writer, make_counting) -> None:
    # one short section per heading: 12 sections, one passage each (a log cut by its headings)
    log = "".join(f"## Run {i}\n\nRun {i} finished without errors in {i} seconds.\n\n" for i in range(12))
    notes = writer(tmp_path / "notes", {"run.md": log, "adam.md": ADAM})
    counting = make_counting()
    index = tmp_path / "index"
    report = ingest_corpus([CorpusRoot(notes)], index, counting, max_passages_per_file=11)
    reason = dict(report.skipped)["run.md"]
    assert reason.startswith("12 passages, more than max_passages_per_file=11")
    assert "NOTECITE_LIMITS__MAX_PASSAGES_PER_FILE" in reason
    assert report.files == 1 and report.parsed == 2 and not any("Run 3 finished" in t for t in counting.texts)
    # unchanged, it is skipped again without being parsed, and nothing is written
    same = ingest_corpus([CorpusRoot(notes)], index, make_counting(), max_passages_per_file=11)
    assert same.skipped == report.skipped and same.parsed == 0 and same.generation == report.generation
    # at the limit it is indexed, and the report names it as where the embedding went
    again = ingest_corpus([CorpusRoot(notes)], index, make_counting(), max_passages_per_file=12)
    assert again.skipped == [] and again.largest_files[0] == ("run.md", 12)
    assert "most passages: run.md (12)" in again.summary()
    # a lower limit again: it stays, its vectors kept (the cap is for what would be embedded now), not parsed
    lower = ingest_corpus([CorpusRoot(notes)], index, make_counting(), max_passages_per_file=11)
    assert lower.skipped == [] and lower.parsed == 0 and lower.files == 2 and lower.embedded == 0


def test_a_searchable_file_over_a_new_passage_cap_is_kept(tmp_path: Path, writer, make_counting) -> None:
    """An upgrade that sets (or lowers) the cap, and changes the parser, dropped a 12-passage file that was
    searchable, although none of its passages needed embedding: now it is parsed again and kept."""
    log = "".join(f"## Run {i}\n\nRun {i} finished without errors in {i} seconds.\n\n" for i in range(12))
    notes = writer(tmp_path / "notes", {"run.md": log, "adam.md": ADAM})
    index = tmp_path / "index"
    ingest_corpus([CorpusRoot(notes)], index, make_counting(), max_passages_per_file=0)
    (index / GENERATIONS / current_generation(index) / PARSED_FILE).unlink()  # as after a code upgrade
    counting = make_counting()
    report = ingest_corpus([CorpusRoot(notes)], index, counting, max_passages_per_file=10)
    assert report.skipped == [] and report.parsed == report.files == 2 and report.embedded == 0
    assert [d.doc for d in open_index(index).documents()] == ["adam.md", "run.md"]
    # an edited file over the cap is embedded anew: skipped as before
    (notes / "run.md").write_text(log.replace("without errors", "with one warning"))
    edited = ingest_corpus([CorpusRoot(notes)], index, make_counting(), max_passages_per_file=10)
    assert [doc for doc, _ in edited.skipped] == ["run.md"] and edited.files == 1


def test_the_passage_limit_has_one_home_in_settings() -> None:
    assert ingest_options(Settings())["max_passages_per_file"] == Settings().limits.max_passages_per_file == 5000


def test_the_parser_digest_is_of_the_code_loaded_not_the_code_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """It re-read ingest/*.py and core/*.py at each ingest: a server left running after a `git pull` recorded
    the new code's digest for passages its old code cut, and they were kept after the restart."""
    before = parser_digest(PassageParams())

    def no_reading(path: Path) -> bytes:
        raise AssertionError(f"{path} read at ingest")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    assert parser_digest(PassageParams()) == before
    assert parser_digest(PassageParams(max_tokens=12, min_tokens=6)) != before
    assert {"regex", "llama-index-core"} <= set(PARSER_LIBRARIES)  # word cuts (Unicode tables), sentence splits
