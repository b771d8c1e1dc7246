"""The code corpus: one leaf per function/class with exact line ranges; big classes split by method."""

from __future__ import annotations

from pathlib import Path

from llama_index.core.schema import NodeRelationship

from ingest.code import LARGE_CLASS_LINES, code_nodes, has_code, is_test_file
from ingest.loaders import load_file
from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.store import open_index


def leaves_by_symbol(path: Path, doc: str) -> tuple[str, dict]:
    source = load_file(path, doc).source
    nodes = code_nodes(source)
    module, leaves = nodes[0], nodes[1:]
    assert module.metadata["level"] == "section" and module.metadata["kind"] == "code"
    for leaf in leaves:
        assert leaf.relationships[NodeRelationship.PARENT].node_id == module.node_id
        assert leaf.text == source.text[leaf.metadata["start"] : leaf.metadata["end"]]
        lines = source.text.splitlines()[leaf.metadata["line_start"] - 1 : leaf.metadata["line_end"]]
        assert "\n".join(lines).strip() == leaf.text  # the line range and the char span agree
    return source.text, {leaf.metadata["symbol"]: leaf for leaf in leaves}


def test_functions_and_classes_are_leaves(fixtures_dir: Path) -> None:
    _, leaves = leaves_by_symbol(fixtures_dir / "module.py", "reference/module.py")
    assert list(leaves) == ["scaled", "Counter", "fetch"]
    scaled = leaves["scaled"]
    assert scaled.text.startswith("@functools.lru_cache(maxsize=None)\ndef scaled")  # decorator included
    assert '"""Scale x by the rate."""' in scaled.text
    assert (scaled.metadata["line_start"], scaled.metadata["line_end"]) == (8, 11)
    assert leaves["Counter"].metadata["kind"] == "code" and "def add" in leaves["Counter"].text


def test_large_class_is_split_into_methods(tmp_path: Path) -> None:
    methods = "\n".join(f"    def m{i}(self) -> int:\n        return {i}\n" for i in range(LARGE_CLASS_LINES // 2))
    (tmp_path / "big.py").write_text(f'class Big:\n    """A big class."""\n\n{methods}\n\ndef after():\n    pass\n')
    _, leaves = leaves_by_symbol(tmp_path / "big.py", "big.py")
    assert leaves["Big"].text == 'class Big:\n    """A big class."""'
    assert leaves["Big.m3"].text == "def m3(self) -> int:\n        return 3"
    assert "after" in leaves and len(leaves) == LARGE_CLASS_LINES // 2 + 2


def test_what_the_code_corpus_leaves_out(fixtures_dir: Path, tmp_path: Path, counting) -> None:
    assert not has_code('"""Package."""\nfrom .a import b\n') and has_code("def f():\n    pass\n")
    assert is_test_file("tests/test_lora.py") and is_test_file("lora_test.py") and not is_test_file("lora.py")
    code = tmp_path / "reference"
    (code / "tests").mkdir(parents=True)
    (code / "__init__.py").write_text("")
    (code / "sub").mkdir()
    (code / "sub" / "__init__.py").write_text('"""Only re-exports."""\nfrom .x import y\n')
    (code / "tests" / "test_module.py").write_text("def test_x():\n    assert True\n")
    (code / "notes.txt").write_text("Not code, ignored in a code root.\n")
    (code / "module.py").write_text((fixtures_dir / "module.py").read_text())
    report = ingest_corpus([CorpusRoot(code, prefix="reference/", kind="code")], tmp_path / "index", counting)
    assert report.files == 1 and report.skipped == [] and report.passages == 3
    reader = open_index(tmp_path / "index")
    assert [d.doc for d in reader.documents()] == ["reference/module.py"]
    hit = reader.get_nodes([reader.bm25_search("Counter add", 1)[0][0]])[0]
    assert hit.metadata["symbol"] == "Counter" and hit.metadata["doc"] == "reference/module.py"
