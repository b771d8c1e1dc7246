"""What a new user's notes bring: accented and CJK words, Latin-1 bytes, reST admonitions, nbformat 3 notebooks.

One small folder of such notes is ingested once with the real embedder; each test reads that index, or runs
the loader, structure and passage rules on a file of its own.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.terms import STEM_PROBE, key_stems
from core.text import ASCII_WORD, QUESTION_WORDS, STOPWORDS, WORD, content_words, stem, words
from ingest import bm25
from ingest.bm25 import BM25Index, tokenize
from ingest.errors import SkippedFile
from ingest.loaders import LoadedFile, decode_text, load_file
from ingest.notebook import load_notebook
from ingest.passages import PassageParams, section_nodes
from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.schema import SourceDoc
from ingest.store import open_index
from ingest.structure import infer_structure
from retrieval.retriever import hit_from_node
from service.extractive import answer_spans
from tests.ingest.test_passages import DOCUMENT, assert_exact_slices
from tests.scaling import assert_linear, calls_into

NOTES = {
    "matcha.md": "# 抹茶\n\n抹茶は粉末にした緑茶です。茶筅で点てて飲みます。\n",
    "tea.txt": "龙井茶是一种绿茶，产于杭州西湖。\n",
    "kimchi.md": "# 김치\n\n김치는 배추로 만든 한국 음식입니다.\n",
    "thai-tea.md": "# ชาไทย\n\nชาไทยเป็นชาดำที่ผสมนมข้นหวาน\n",  # Thai tea is black tea mixed with condensed milk
    "bayes.md": "# Classifiers\n\nThe naïve Bayes classifier assumes independent features.\n",
    "dessert.txt": "Dessert notes\n\nCrème brûlée is a custard under a layer of hard caramel.\n".encode("cp1252"),
    "adam.md": "# Optimizers\n\nAdam keeps running means of the gradients and their squares.\n",
}


@pytest.fixture(scope="module")
def unicode_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> tuple[Path, Path]:
    notes = tmp_path_factory.mktemp("new-user-notes")
    for name, data in NOTES.items():
        (notes / name).write_bytes(data.encode() if isinstance(data, str) else data)
    index = notes.parent / f"{notes.name}-index"
    ingest_corpus([CorpusRoot(notes)], index, embedder)
    return notes, index


def top_doc(index: Path, query: str) -> str:
    reader = open_index(index)
    try:
        (best, _), *_ = reader.bm25_search(query, 3)
        return reader.get_nodes([best])[0].metadata["doc"]
    finally:
        reader.close()


# 1. words of any script


def test_accented_words_are_whole_and_folded() -> None:
    assert words("Crème brûlée, naïve Bayes: Zürich ＧＰＵ x²") == [
        "creme",
        "brulee",
        "naive",
        "bayes",
        "zurich",
        "gpu",
        "x2",
    ]
    assert tokenize("naïve_bayes Crème") == ["naive_bayes", "naive", "bayes", "creme"]
    assert [stem(w) for w in words("naïve образование 抹茶")] == ["naiv", "образование", "抹茶"]


def test_english_with_curly_quotes_and_dashes_reads_as_its_ascii_twin() -> None:
    curly = "Don’t stop — it’s “fine”…\u200bnow"
    assert words(curly) == words("Don't stop - it's \"fine\"... now") == ["don", "t", "stop", "it", "s", "fine", "now"]
    assert words("a\u200db") == ["a\u200db"]  # a zero-width joiner joins: the Unicode path keeps it


def test_cjk_runs_are_bigrams() -> None:
    assert words("抹茶は粉末") == ["抹茶", "茶は", "は粉", "粉末"]
    assert words("コーヒー、ｺｰﾋｰ") == ["コー", "ーヒ", "ヒー"] * 2  # the long-vowel mark and half-width kana
    assert tokenize("GPU性能。김치") == ["gpu", "性能", "김치"]
    assert content_words("猫 と 犬") == ["猫", "犬"]  # a one-character CJK run is a word; kana grammar is not


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("什么是抹茶？", ["抹茶"]),  # 什么 and 是 are grammar: 什么, 么是, 是抹 name nothing
        ("抹茶是什么？", ["抹茶"]),
        ("龙井茶产于哪里？", ["龙井", "井茶", "茶产", "产于"]),  # 哪 is grammar: 于哪, 哪里 go
        ("目的是什么", []),  # 的 is grammar: a bigram holding it goes, 目的 (purpose) too: the list is closed
        ("김치는 무엇입니까?", ["김치"]),  # 김치 + 는; 무엇 + 입니까 frames the question
        ("김치란 무엇인가요?", ["김치"]),
        ("학교에서는 고양이가", ["학교", "고양"]),  # 에서 + 는 stripped in turn; 이 + 가 after two syllables
        ("평가 온도 결과", ["평가", "온도", "결과"]),  # nouns ending like a particle keep it
    ],
)
def test_chinese_and_korean_grammar_names_no_topic(text: str, topic: list[str]) -> None:
    assert content_words(text) == topic


def test_a_run_is_read_against_the_notes_words() -> None:
    """A bigram joining two words the notes hold is no word; a word they lack is one, not each bigram."""
    known = {"抹茶", "龙井", "井茶", "김치"}
    assert content_words("抹茶和龙井茶有什么区别？", known) == ["抹茶", "龙井", "井茶"]  # 茶和 和龙 茶有: joins
    assert content_words("什么是乌龙茶？", known) == ["乌龙茶"]  # one unknown word, not 乌龙 and 龙茶
    assert content_words("불고기는 무엇입니까?", known) == ["불고기"]
    assert content_words("What is matcha?", known) == content_words("What is matcha?") == ["matcha"]


def test_thai_lao_and_khmer_runs_are_bigrams_of_what_a_reader_sees() -> None:
    # ชาเขียว (green tea): ช า เ ขี ย ว, the vowel ี stays on ข
    assert words("ชาเขียว") == ["ชา", "าเ", "เขี", "ขีย", "ยว"]
    assert words("ລາວ") == ["ລາ", "າວ"]  # Lao: ລ າ ວ
    assert words("ភាសាខ្មែរ") == ["ភាសា", "សាខ្មែ", "ខ្មែរ"]  # Khmer: ភា សា ខ្មែ (ខ, coeng, ម, vowel) រ
    assert tokenize("GPU ชาไทย") == ["gpu", "ชา", "าไ", "ไท", "ทย"]


def test_a_long_run_of_thai_question_words_is_read_in_linear_time() -> None:
    """Each character was tested against every Thai question word's span: `content_words("คือ" * 4000)` took
    1.0 s and 20,000 of them ~25 s (a chat history turn may be 20,000 characters). Now one pass marks them:
    ten times the words take ~10x the CPU time (with the spans tested per character: 84x)."""
    assert content_words("คือ" * 2000) == []  # "is": grammar, no topic
    assert_linear(content_words, lambda n: "คือ" * n, 500)


def test_bm25_finds_a_thai_word_inside_a_run() -> None:
    """Thai writes no space between words: "ชาเขียว" is found inside "ชาเขียวญี่ปุ่นชงด้วยน้ำร้อน"."""
    notes = {
        "green.md": "ชาเขียวญี่ปุ่นชงด้วยน้ำร้อนแปดสิบองศา",  # Japanese green tea is brewed with water at 80 degrees
        "thai.md": "ชาไทยเป็นชาดำที่ผสมนมข้นหวาน",  # Thai tea is black tea mixed with condensed milk
        "coffee.md": "กาแฟดำไม่ใส่น้ำตาล",  # black coffee without sugar
    }
    index = BM25Index(list(notes), list(notes.values()))
    assert index.search("ชาเขียว", 1)[0][0] == "green.md"
    assert index.search("นมข้นหวาน", 1)[0][0] == "thai.md"
    assert index.search("กาแฟ", 1)[0][0] == "coffee.md"


def test_stored_term_counts_are_recounted_under_other_word_rules() -> None:
    """The probe holds words whose stems the old ASCII-only rule gave otherwise ("na", "ve")."""
    assert {"naiv", "crem", "抹茶"} <= key_stems(STEM_PROBE)


ASCII = st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=127), max_size=200)


@settings(max_examples=200, deadline=None)
@given(ASCII)
def test_ascii_text_keeps_its_tokens(text: str) -> None:
    """The Unicode rules read ASCII exactly as the ASCII fast paths (the tokens retrieval was tuned on)."""
    assert [m.group() for m in WORD.finditer(text.lower())] == ASCII_WORD.findall(text.lower())
    assert [m.group() for m in bm25._TOKEN.finditer(text)] == [m.group() for m in bm25._ASCII_TOKEN.finditer(text)]
    assert words(text + " é") == [*words(text), "e"]  # the general path, on the same ASCII words
    assert tokenize(text + " é") == [*tokenize(text), "e"]
    # topic words (the abstain rule, key terms): the rule they had before CJK grammar was told apart
    topic = [w for w in words(text) if w not in STOPWORDS and w not in QUESTION_WORDS and len(w) > 1]
    assert content_words(text) == content_words(text + " é") == content_words(text, set()) == topic


def test_bm25_finds_cjk_and_accented_passages() -> None:
    texts = [v.decode("cp1252") if isinstance(v, bytes) else v for v in NOTES.values()]
    index = BM25Index(list(NOTES), texts)
    assert index.search("抹茶はどうやって点てますか", 1)[0][0] == "matcha.md"
    assert index.search("龙井茶产于哪里？", 1)[0][0] == "tea.txt"
    assert index.search("김치는 무엇으로 만드나요", 1)[0][0] == "kimchi.md"
    assert index.search("naive bayes", 1)[0][0] == "bayes.md"
    assert index.search("creme brulee", 1)[0][0] == "dessert.txt"


def test_ingested_notes_are_found_in_their_own_words(unicode_index: tuple[Path, Path]) -> None:
    _, index = unicode_index
    assert top_doc(index, "茶筅で点てるお茶は？") == "matcha.md"
    assert top_doc(index, "Naive Bayes") == "bayes.md"
    assert top_doc(index, "crème brûlée") == "dessert.txt"
    assert top_doc(index, "นมข้นหวาน") == "thai-tea.md"  # a Thai word inside a run of Thai
    reader = open_index(index)
    try:
        assert {"naiv", "抹茶", "crem"} <= reader.term_stems  # the abstain check's vocabulary folds alike
    finally:
        reader.close()


def test_an_index_built_under_other_token_rules_is_rebuilt(
    unicode_index: tuple[Path, Path], embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes, index = unicode_index
    same = ingest_corpus([CorpusRoot(notes)], index, embedder)
    monkeypatch.setattr("ingest.pipeline.TOKEN_PROBE", "other rules")  # what a tokenizer change does to the digest
    other = ingest_corpus([CorpusRoot(notes)], index, embedder)
    assert other.generation != same.generation and other.embedded == 0


# 2. bytes that are not UTF-8


def test_latin1_note_is_decoded_and_its_warning_recorded(unicode_index: tuple[Path, Path]) -> None:
    _, index = unicode_index
    reader = open_index(index)
    try:
        record = next(d for d in reader.documents() if d.doc == "dessert.txt")
        assert record.warnings == ("not UTF-8: decoded as Windows-1252",)
        assert "Crème brûlée is a custard" in reader.source_text("dessert.txt")
    finally:
        reader.close()


def test_stray_bytes_in_utf8_keep_the_utf8() -> None:
    text, warnings = decode_text("Crème “quoted” ".encode() + b"and one stray \xe9 byte; \x81 undefined")
    assert text == "Crème “quoted” and one stray é byte; \x81 undefined"  # \x81: Latin-1, Windows-1252 has none
    assert warnings == ("invalid UTF-8: 2 byte sequence(s) read as Windows-1252",)


RUSSIAN = "Градиентный спуск - это метод оптимизации.\nСкорость обучения задаёт шаг. Adam и SGD.\n"
GREEK = "Η μηχανική μάθηση είναι κλάδος της τεχνητής νοημοσύνης.\n"


@pytest.mark.parametrize(
    ("text", "codec", "name"),
    [(RUSSIAN, "cp1251", "Windows-1251"), (RUSSIAN, "koi8_r", "KOI8-R"), (GREEK, "cp1253", "Windows-1253")],
)
def test_a_russian_or_greek_note_without_a_declared_encoding_reads_as_its_words(
    tmp_path: Path, text: str, codec: str, name: str
) -> None:
    """As Windows-1252 the Russian note read "Ãðàäèåíòíûé ñïóñê": every word accented Latin letters."""
    (tmp_path / "note.txt").write_bytes(text.encode(codec))
    loaded = load_file(tmp_path / "note.txt", "note.txt")
    assert loaded.source.text == text
    assert loaded.source.warnings == (f"not UTF-8: decoded as {name} (as Windows-1252 its words read as mojibake)",)


def decoder_calls(data: bytes) -> int:
    """Calls of the decoder's own functions while it decodes `data` or refuses it as binary."""

    def decode() -> None:
        with contextlib.suppress(SkippedFile):
            decode_text(data)

    return calls_into(decode, ("ingest/loaders.py", "ingest/encodings.py"))


def test_a_large_russian_note_or_binary_file_is_decided_quickly() -> None:
    """A 2.7 MB Windows-1251 note took 20 s (every word's letters named, and each byte read by a Python error
    handler) and 5 MB of high bytes 7.6 s to be refused: its first 2,000 non-ASCII words decide the encoding,
    and a file that is all high bytes is read in one call (0.3 s and 0.1 s here). Counted, not timed: ten times
    the file makes no more calls of the decoder's functions (with the old decoder: 10x, one a word and a byte)."""
    note = RUSSIAN * 30000
    assert decode_text(note.encode("cp1251"))[0] == note
    with pytest.raises(SkippedFile, match="binary or undecodable"):
        decode_text(bytes(range(128, 256)) * 40000)
    for sized in [lambda n: (RUSSIAN * n).encode("cp1251"), lambda n: bytes(range(128, 256)) * n]:
        small, large = decoder_calls(sized(500)), decoder_calls(sized(5000))
        assert large <= small, f"{large} calls for 10x the file, {small} for the file"
    assert decode_text("a written \ufffd".encode() + b" caf\xe9")[0] == "a written \ufffd café"  # kept, not "ï¿½"


@pytest.mark.parametrize(
    "text",
    [
        "Crème brûlée est un dessert. Le café est très bon à Paris, où l'été est chaud. ÉCOLE\n",
        "Die Größe der Übung ist schön. Straße, Mädchen, Bäume. Öl\n",
        "¿Qué es la regresión logística? Año, niño, señal.\n",
        "Þú ert á Íslandi. Það er gott.\n",  # Icelandic: "Þú" has no ASCII letter, yet most words do
        "Naïve Bayes, Gödel, the Æsir, an œuvre: crème fraîche à la française\n",
    ],
)
def test_western_notes_still_read_as_windows_1252(text: str) -> None:
    assert decode_text(text.encode("cp1252")) == (text, ("not UTF-8: decoded as Windows-1252",))
    assert decode_text(text.encode()) == (text, ())  # and UTF-8 as UTF-8
    assert decode_text(RUSSIAN.encode()) == (RUSSIAN, ())


def test_byte_order_mark_is_no_text() -> None:
    cells = [{"cell_type": "markdown", "source": "A notebook saved with a BOM."}]
    loaded = load_notebook("bom.ipynb", b"\xef\xbb\xbf" + json.dumps({"cells": cells}).encode())
    assert loaded.source.text == "A notebook saved with a BOM."


def test_html_declared_charset_is_used_when_not_utf8(tmp_path: Path) -> None:
    page = "<html><head><meta charset='windows-1251'></head><body><h1>Заметки</h1><p>Привет мир.</p></body></html>"
    (tmp_path / "ru.html").write_bytes(page.encode("cp1251"))
    loaded = load_file(tmp_path / "ru.html", "ru.html")
    assert loaded.source.text == "Заметки\nПривет мир." and loaded.headings[0].title == "Заметки"
    assert "windows-1251" in loaded.source.warnings[0]


def test_xhtml_and_python_declared_encodings_are_used(tmp_path: Path) -> None:
    page = '<?xml version="1.0" encoding="ISO-8859-7"?><html><body><p>Σημειώσεις για το Adam.</p></body></html>'
    (tmp_path / "el.html").write_bytes(page.encode("iso-8859-7"))
    assert load_file(tmp_path / "el.html", "el.html").source.text == "Σημειώσεις για το Adam."
    code = "# -*- coding: cp1251 -*-\n# Комментарий: шаг градиента\nlr = 0.1\n"
    (tmp_path / "step.py").write_bytes(code.encode("cp1251"))
    loaded = load_file(tmp_path / "step.py", "step.py")
    assert loaded.source.text == code and "cp1251" in loaded.source.warnings[0]


def test_a_declared_codec_that_is_no_text_encoding_is_not_used() -> None:
    """ "unicode_escape" would turn the two characters \\n of a note into a line break."""
    text, warnings = decode_text(b"caf\xe9 \\new", "unicode_escape")
    assert text == "café \\new" and "Windows-1252" in warnings[0]


LATIN1_WORD = st.text(alphabet="abcdefgh ABC.#-=\néèàçüößñ€“”’", min_size=1, max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LATIN1_WORD, min_size=1, max_size=30), st.sampled_from(["text", "markdown", "rst"]))
def test_windows_1252_notes_decode_exactly_and_stay_span_exact(pieces: list[str], fmt: str) -> None:
    text = "\n".join(pieces)
    text = re.sub(r"([^\x00-\x7f])(?=[^\x00-\x7f])", r"\1 ", text)  # two adjacent could spell valid UTF-8
    if not text.strip():
        return
    if sum(not c.isascii() for c in text) > max(16, len(text) // 4):  # more like binary than text in any encoding
        with pytest.raises(SkippedFile, match="binary or undecodable"):
            decode_text(text.encode("cp1252"))
        return
    decoded, _ = decode_text(text.encode("cp1252"))
    assert decoded == text
    loaded = LoadedFile(SourceDoc("n.txt", decoded, "x"), fmt)
    assert_exact_slices(decoded, section_nodes(loaded.source, infer_structure(loaded).sections, PassageParams()))


# 3. reST admonitions


RST = """Backups
=======

Run the backup job every night.

.. note:: Keep backups on a second disk that is not mounted.

.. warning::
   Never restore over the live database.

.. image:: diagram.png
.. index:: single: backup
"""


def test_rst_admonition_argument_is_content_and_other_directives_context() -> None:
    loaded = LoadedFile(SourceDoc("b.rst", RST, "x"), "rst")
    nodes = section_nodes(loaded.source, infer_structure(loaded).sections, PassageParams())
    (passage,) = [n for n in nodes if n.metadata["level"] == "passage"]
    hit = hit_from_node(passage, 1.0)
    assert [RST[s:e] for s, e in hit.context_spans] == [
        "Backups\n=======",
        ".. note::",
        ".. warning::",
        ".. image:: diagram.png",
        ".. index:: single: backup",
    ]
    assert [hit.text[s:e] for s, e in answer_spans(hit)] == [
        "Run the backup job every night.",
        "Keep backups on a second disk that is not mounted.",
        "Never restore over the live database.",
    ]


# 4. nbformat 3 notebooks


def v3(cells: list[dict]) -> bytes:
    return json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": cells}]}).encode()


def test_nbformat3_notebook_loads_like_v4(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "heading", "level": 1, "source": ["Gradient descent"]},
        {"cell_type": "markdown", "source": ["We step against the gradient.\n", "The step is the learning rate."]},
        {"cell_type": "code", "input": ["w = w - lr * grad(w)"], "language": "python", "outputs": [{"text": "OUT"}]},
        {"cell_type": "heading", "level": 2, "source": "Momentum"},
        {"cell_type": "markdown", "source": "Momentum keeps a running mean of gradients."},
        {"cell_type": "raw", "source": "raw cell"},
    ]
    (tmp_path / "gd.ipynb").write_bytes(v3(cells))
    loaded = load_file(tmp_path / "gd.ipynb", "gd.ipynb")
    v4 = [
        {"cell_type": "markdown", "source": "# Gradient descent"},
        {"cell_type": "markdown", "source": "We step against the gradient.\nThe step is the learning rate."},
        {"cell_type": "code", "source": "w = w - lr * grad(w)", "outputs": []},
        {"cell_type": "markdown", "source": "## Momentum"},
        {"cell_type": "markdown", "source": "Momentum keeps a running mean of gradients."},
    ]
    like = load_notebook("gd.ipynb", json.dumps({"nbformat": 4, "cells": v4}).encode())
    assert loaded.source.text == like.source.text.replace("# ", "").replace("#", "")
    assert "OUT" not in loaded.source.text and "raw cell" not in loaded.source.text
    assert [(h.level, h.title) for h in loaded.headings] == [(h.level, h.title) for h in like.headings]
    text = loaded.source.text
    assert [text[h.start : h.end] for h in loaded.headings] == ["Gradient descent", "Momentum"]
    assert [text[s:e] for s, e in loaded.code] == ["w = w - lr * grad(w)"]
    structure = infer_structure(loaded)
    assert structure.title == "Gradient descent"
    assert structure.sections[-1].breadcrumbs == ("Gradient descent", "Momentum")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT, st.integers(min_value=0, max_value=7))
def test_nbformat3_notebooks_are_exact_slices(document: tuple[list[str], str], level: int) -> None:
    lines, _ = document
    kinds = [("heading", "source"), ("markdown", "source"), ("code", "input")]
    cells = [{"cell_type": kinds[i % 3][0], kinds[i % 3][1]: x, "level": level} for i, x in enumerate(lines)]
    try:
        loaded = load_notebook("n.ipynb", v3(cells))
    except SkippedFile as exc:
        assert "no markdown or code cells" in str(exc)
        return
    assert all(loaded.source.text[h.start : h.end].strip() for h in loaded.headings)
    assert_exact_slices(
        loaded.source.text, section_nodes(loaded.source, infer_structure(loaded).sections, PassageParams())
    )


@pytest.mark.parametrize("module", ["core.text", "core.cjk", "ingest.bm25", "ingest.encodings"])
def test_docstring_examples(module: str) -> None:
    """The word rules' examples (accents, CJK bigrams, stems) are run, not only read."""
    assert doctest.testmod(importlib.import_module(module)).failed == 0
