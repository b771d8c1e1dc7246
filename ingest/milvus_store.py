"""Leaves in Milvus: one collection per generation, dense vectors + Milvus's own BM25, an alias for the live one.

Each collection holds `id` (the node id), `vector` (FLOAT_VECTOR, inner product: FLAT below the HNSW
threshold, HNSW above, like FAISS), and `text`, an analyzed VARCHAR that a BM25 Function turns into the
SPARSE_FLOAT_VECTOR `sparse` (SPARSE_INVERTED_INDEX, metric BM25). `text` holds our own BM25 tokens
(ingest/bm25.py: `np.dot` indexed whole and as `np` and `dot`), each spelled so Milvus's standard
analyzer keeps it one token; queries are spelled the same way, so both engines match the same terms.

The same code runs against Milvus Lite (a local `.db` file, one process) and a Milvus server or cluster
(`http://host:19530` and a token). The live generation is the one CURRENT names (what the docstore
beside it agrees with); the alias `<prefix>_live` follows it for anyone reading Milvus directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from pymilvus import DataType, Function, FunctionType, MilvusClient

from core.settings import StoreSettings
from ingest.bm25 import tokenize

INSERT_BATCH = 2000
MAX_TEXT_BYTES = 65_535  # Milvus's VARCHAR limit
HNSW_PARAMS = {"M": 32, "efConstruction": 80}  # as ingest/faiss_index.py
# all but ASCII letters, digits and `_`: a token is one term whatever an analyzer makes of other scripts (Milvus
# Lite's keeps a run of Han whole; a Lucene-style standard tokenizer cuts it into single characters)
_NON_WORD = re.compile(r"[^A-Za-z0-9_]")


def spelled(token: str) -> str:
    """A token as one word for the standard analyzer: `np.dot` -> `np_2e_dot`, `抹茶` -> `_62b9__8336_`
    (ASCII letters, digits and `_` stay)."""
    return _NON_WORD.sub(lambda m: f"_{ord(m.group()):x}_", token)


def analyzed_text(text: str) -> str:
    """Our BM25 tokens, spelled, space-separated, cut at a token to fit a VARCHAR."""
    out = " ".join(spelled(t) for t in tokenize(text))
    if len(out.encode()) > MAX_TEXT_BYTES:
        out = out.encode()[:MAX_TEXT_BYTES].decode(errors="ignore").rsplit(" ", 1)[0]
    return out


@lru_cache(maxsize=8)
def client_for(uri: str, token: str) -> MilvusClient:
    """One client per URI and token in a process (a Milvus Lite file starts its engine once)."""
    return MilvusClient(uri=uri, token=token)


class MilvusLeaves:
    """One generation's collection, loaded for search."""

    def __init__(self, client: MilvusClient, collection: str, dim: int, n_leaves: int, terms: frozenset[str]):
        self.client = client
        self.collection = collection
        self.dim = dim
        self._n = n_leaves
        self._terms = terms
        client.load_collection(collection)

    def __len__(self) -> int:
        return self._n

    def _search(self, data: list, field: str, k: int, params: dict[str, Any]) -> list[dict]:
        k = min(k, self._n)
        if k <= 0:
            return []
        return self.client.search(
            self.collection, data=data, anns_field=field, limit=k, search_params=params, output_fields=["id"]
        )[0]

    def dense_search(self, query_vec: np.ndarray, k: int) -> list[tuple[str, float]]:
        params = {"metric_type": "IP", "params": {"ef": max(64, 2 * k)}}
        vec = np.asarray(query_vec, dtype=np.float32).reshape(-1).tolist()
        return [(h["id"], float(h["distance"])) for h in self._search([vec], "vector", k, params)]

    def bm25_search(self, query: str, k: int) -> list[tuple[str, float]]:
        text = analyzed_text(query)
        if not text:
            return []
        # Milvus Lite reports BM25 as a negated distance, a server as a score: best first either way
        return [
            (h["id"], abs(float(h["distance"]))) for h in self._search([text], "sparse", k, {"metric_type": "BM25"})
        ]

    def vocabulary(self) -> frozenset[str]:
        return self._terms

    def _rows(self, fields: list[str]) -> list[dict]:
        it = self.client.query_iterator(self.collection, batch_size=4000, output_fields=fields)
        rows: list[dict] = []
        while batch := it.next():
            rows.extend(batch)
        it.close()
        return rows

    @cached_property
    def leaf_ids(self) -> list[str]:  # type: ignore[override]
        return [r["id"] for r in self._rows(["id"])]

    def vectors(self) -> dict[str, np.ndarray]:
        return {r["id"]: np.asarray(r["vector"], dtype=np.float32) for r in self._rows(["id", "vector"])}

    def leaf_vectors(self, ids: Sequence[str]) -> np.ndarray:
        if not ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = {r["id"]: r["vector"] for r in self.client.get(self.collection, ids=list(ids), output_fields=["vector"])}
        return np.asarray([rows[i] for i in ids], dtype=np.float32).reshape(len(ids), self.dim)

    def close(self) -> None:
        pass  # the client is shared; a generation's collection is dropped by garbage collection


class MilvusStore:
    name = "milvus"

    def __init__(self, client: MilvusClient, uri: str, prefix: str) -> None:
        self.client = client
        self.uri = uri
        self.prefix = prefix

    @classmethod
    def connect(cls, uri: str, config: StoreSettings) -> MilvusStore:
        return cls(client_for(uri, config.milvus_token or ""), uri, config.collection_prefix)

    @property
    def alias(self) -> str:
        return f"{self.prefix}_live"

    def collection(self, gen_id: str) -> str:
        return f"{self.prefix}_{re.sub(r'[^0-9A-Za-z]', '_', gen_id)}"

    def _schema(self, dim: int) -> Any:
        schema = self.client.create_schema(auto_id=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT_BYTES, enable_analyzer=True)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(
            Function(
                name="bm25", function_type=FunctionType.BM25, input_field_names=["text"], output_field_names=["sparse"]
            )
        )
        return schema

    def write(
        self, gen_dir: Path, leaf_ids: Sequence[str], texts: Sequence[str], vectors: np.ndarray, hnsw_threshold: int
    ) -> dict[str, Any]:
        name = self.collection(gen_dir.name)
        dim = int(vectors.shape[1])
        index = self.client.prepare_index_params()
        if len(leaf_ids) >= hnsw_threshold:
            index.add_index("vector", index_type="HNSW", metric_type="IP", params=HNSW_PARAMS)
        else:
            index.add_index("vector", index_type="FLAT", metric_type="IP")
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        self.drop(gen_dir.name)  # debris of a killed ingest that had this id
        self.client.create_collection(name, schema=self._schema(dim), index_params=index, consistency_level="Strong")
        try:
            terms: set[str] = set()
            for start in range(0, len(leaf_ids), INSERT_BATCH):
                rows = []
                for i in range(start, min(start + INSERT_BATCH, len(leaf_ids))):
                    text = analyzed_text(texts[i])
                    terms.update(tokenize(texts[i]))
                    rows.append({"id": leaf_ids[i], "vector": vectors[i].tolist(), "text": text})
                self.client.insert(name, rows)
            self.client.flush(name)
            (gen_dir / "terms.json").write_text(json.dumps(sorted(terms)))
        except BaseException:
            self.drop(gen_dir.name)
            raise
        return {"store": self.name, "collection": name, "uri": self.uri, "prefix": self.prefix}

    def open(self, gen_dir: Path, meta: dict[str, Any]) -> MilvusLeaves:
        terms = frozenset(json.loads((gen_dir / "terms.json").read_text()))
        return MilvusLeaves(self.client, meta["collection"], int(meta["dim"]), int(meta["leaves"]), terms)

    def publish(self, gen_id: str) -> None:
        name = self.collection(gen_id)
        if self.alias in self.client.list_aliases().get("aliases", []):
            self.client.alter_alias(name, self.alias)
        else:
            self.client.create_alias(name, self.alias)

    def drop(self, gen_id: str) -> None:
        name = self.collection(gen_id)
        if self.client.has_collection(name):
            self.client.drop_collection(name)
