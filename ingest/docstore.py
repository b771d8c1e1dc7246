"""The SQLite docstore of one generation: every node (sections too) and every indexed document.

The `documents` table doubles as the manifest: (doc, sha256) is what incremental ingest compares.
A generation's file is written once and then only read, so readers open it immutable.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from ingest.schema import DocumentRecord

SCHEMA = """
CREATE TABLE nodes (
    id TEXT PRIMARY KEY, doc TEXT NOT NULL, level TEXT NOT NULL, parent TEXT, children TEXT NOT NULL,
    ord INTEGER NOT NULL, metadata TEXT NOT NULL, text TEXT NOT NULL
);
CREATE INDEX nodes_doc ON nodes(doc);
-- n_chunks holds a document's passage count (the column keeps its first name: indexes on disk stay readable)
CREATE TABLE documents (
    doc TEXT PRIMARY KEY, sha256 TEXT NOT NULL, kind TEXT NOT NULL, n_chunks INTEGER NOT NULL,
    indexed_at TEXT NOT NULL, warnings TEXT NOT NULL, source_text TEXT NOT NULL
);
"""


def _parent(node: TextNode) -> str | None:
    info = node.relationships.get(NodeRelationship.PARENT)
    return info.node_id if isinstance(info, RelatedNodeInfo) else None


def _children(node: TextNode) -> list[str]:
    info = node.relationships.get(NodeRelationship.CHILD)
    return [c.node_id for c in info] if isinstance(info, list) else []


def write_docstore(path: Path, nodes: Iterable[TextNode], documents: Iterable[tuple[DocumentRecord, str]]) -> None:
    """Create the database at `path` (which must not exist) and fill it in one transaction."""
    con = sqlite3.connect(path)
    try:
        con.executescript(SCHEMA)
        con.executemany(
            "INSERT INTO nodes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    n.node_id,
                    n.metadata["doc"],
                    n.metadata["level"],
                    _parent(n),
                    json.dumps(_children(n)),
                    i,
                    json.dumps(n.metadata, ensure_ascii=False),
                    n.text,
                )
                for i, n in enumerate(nodes)
            ),
        )
        con.executemany(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (r.doc, r.sha256, r.kind, r.n_passages, r.indexed_at, json.dumps(list(r.warnings)), text)
                for r, text in documents
            ),
        )
        con.commit()
    finally:
        con.close()


class Docstore:
    """Read-only access to one generation's nodes and documents; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        self._con = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._con.close()

    def _rows(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, args).fetchall()

    def get_nodes(self, ids: Sequence[str]) -> list[TextNode]:
        """Nodes in the order asked; raises KeyError naming an id this generation does not hold."""
        found: dict[str, TextNode] = {}
        unique = list(dict.fromkeys(ids))
        for offset in range(0, len(unique), 500):
            batch = unique[offset : offset + 500]
            marks = ",".join("?" * len(batch))
            for row in self._rows(
                f"SELECT id, parent, children, metadata, text FROM nodes WHERE id IN ({marks})", batch
            ):
                found[row[0]] = _to_node(*row)
        missing = [i for i in unique if i not in found]
        if missing:
            raise KeyError(f"node id(s) not in this index generation: {', '.join(missing[:5])}")
        return [found[i] for i in ids]

    def parent_id(self, node_id: str) -> str | None:
        rows = self._rows("SELECT parent FROM nodes WHERE id = ?", (node_id,))
        if not rows:
            raise KeyError(node_id)
        return rows[0][0]

    def child_ids(self, node_id: str) -> list[str]:
        rows = self._rows("SELECT children FROM nodes WHERE id = ?", (node_id,))
        if not rows:
            raise KeyError(node_id)
        return list(json.loads(rows[0][0]))

    def node_ids(self, doc: str | None = None) -> list[str]:
        if doc is None:
            return [r[0] for r in self._rows("SELECT id FROM nodes ORDER BY ord")]
        return [r[0] for r in self._rows("SELECT id FROM nodes WHERE doc = ? ORDER BY ord", (doc,))]

    def documents(self) -> list[DocumentRecord]:
        rows = self._rows("SELECT doc, sha256, kind, n_chunks, indexed_at, warnings FROM documents ORDER BY doc")
        return [DocumentRecord(d, s, k, n, t, tuple(json.loads(w))) for d, s, k, n, t, w in rows]

    def source_text(self, doc: str) -> str | None:
        rows = self._rows("SELECT source_text FROM documents WHERE doc = ?", (doc,))
        return rows[0][0] if rows else None


def _to_node(node_id: str, parent: str | None, children: str, metadata: str, text: str) -> TextNode:
    meta = json.loads(metadata)
    keys = list(meta)
    node = TextNode(
        id_=node_id,
        text=text,
        metadata=meta,
        excluded_embed_metadata_keys=keys,
        excluded_llm_metadata_keys=keys,
    )
    if parent:
        node.relationships[NodeRelationship.PARENT] = RelatedNodeInfo(node_id=parent)
    kids = json.loads(children)
    if kids:
        node.relationships[NodeRelationship.CHILD] = [RelatedNodeInfo(node_id=c) for c in kids]
    return node
