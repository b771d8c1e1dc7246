"""What an incremental ingest takes from the generation it replaces: the index itself, and which of its
passages have the text of a new one (so their vectors and sentence windows are kept, not embedded again)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from llama_index.core.schema import TextNode

from core.settings import StoreSettings
from ingest.errors import IndexNotFound
from ingest.store import IndexReader, open_index

log = logging.getLogger("notecite")


def previous_index(index_dir: Path, store: StoreSettings | None) -> IndexReader | None:
    """The live generation, or None: none yet, or one that cannot be read (then everything is embedded anew,
    and the log says why; the ingest that follows replaces it)."""
    try:
        return open_index(index_dir, store)
    except IndexNotFound:  # the first ingest
        return None
    except Exception as exc:  # noqa: BLE001 - an unreadable old generation only means nothing to reuse
        log.warning("the previous index in %s cannot be read (%s); every passage is embedded again", index_dir, exc)
        return None


def content_key(node: TextNode) -> tuple[str, tuple[str, ...]]:
    """What a passage's vector and sentence windows are made from: its text and section path (not its doc)."""
    return node.text, tuple(node.metadata["breadcrumbs"][1:])


def same_content(previous: IndexReader, leaves: Sequence[TextNode]) -> dict[str, str]:
    """New leaf id -> a leaf of `previous` that is gone now but had the same text and section path. Ids hash the
    doc and its sha256, so a renamed or moved file, and the untouched passages of an edited one, get new ids:
    this lets them keep their vectors instead of being embedded again."""
    current = {n.node_id for n in leaves}
    gone = [i for i in previous.leaf_ids if i not in current]
    if not gone:
        return {}
    by_content = {content_key(n): n.node_id for n in previous.get_nodes(gone)}
    return {n.node_id: old for n in leaves if (old := by_content.get(content_key(n)))}
