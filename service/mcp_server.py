"""An MCP server (the official `mcp` SDK) over the notes: search_notes, ask_notes and get_source.

The same tools serve two transports: stdio (`notecite mcp`, for a desktop assistant that starts it) and
streamable HTTP at /mcp inside the API (service/app.py mounts it). Tools run in a worker thread, so a
long answer never blocks the server's event loop.

Annotations are evaluated where they are written (no `from __future__ import annotations`): search_notes'
bounds on k come from the deployment's settings, which a tool schema read from strings could not see.
"""

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import anyio
import typer
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from core.settings import LimitSettings
from service.errors import ApiError
from service.questions import check_question
from service.study.scope import ScopeError, parse_scope_option

SCOPE_HELP = "Only these documents (names as hits give them) or sections ('DOC#Section title')."
OldDocs = Annotated[list[str] | None, Field(description="Deprecated: the old name of `scope`.")]

INSTRUCTIONS = (
    "Search and ask the user's own study notes. Every hit and citation names a document and a character span "
    "[start, end) of its text; get_source returns that text. A citation's spans are the exact characters the "
    "answer quoted (start and end cover them all). ask_notes answers 'The notes do not cover this.' rather than guess."
)


def hit_out(hit: Any) -> dict[str, Any]:
    return {
        "doc": hit.doc,
        "breadcrumbs": hit.breadcrumbs,
        "start": hit.start,
        "end": hit.end,
        "text": hit.text,
        "score": round(hit.score, 4),
        **code_fields(hit),
    }


def code_fields(item: Any) -> dict[str, Any]:
    """What a code hit or citation adds (as /api/search and /api/ask send it): its symbol and 1-based lines."""
    return {"kind": item.kind, "symbol": item.symbol, "line_start": item.line_start, "line_end": item.line_end}


def checked_question(question: str, get_runtime: Callable[[], Any], param: str = "question") -> str:
    """The question (or query) as /api/ask and /api/search take it (service.questions.check_question): an
    empty or over-long one is a ToolError saying so (not an abstention)."""
    try:
        return check_question(question, get_runtime().settings, param)
    except ApiError as exc:
        raise ToolError(exc.detail) from None


def scope_of(names: list[str], reader: Any) -> Any:
    """The scope the names give; a document the index lacks is a ToolError, whose reason reaches the client
    (any other exception reaches it as a bare "Error executing tool")."""
    try:
        return parse_scope_option(names, reader)
    except ScopeError as exc:
        raise ToolError(str(exc)) from None


def build_mcp_server(get_runtime: Callable[[], Any], limits: LimitSettings | None = None) -> MCPServer:
    """The tools over whatever generation `get_runtime()` serves at call time; `limits` (the deployment's)
    give search_notes' k its default and bound in the tool schema, as /api/search has them."""
    server = MCPServer("notecite", instructions=INSTRUCTIONS, version="0.1.0")
    limits = limits or LimitSettings()

    @server.tool()
    async def search_notes(
        query: str,
        k: Annotated[int, Field(ge=1, le=limits.max_search_k, description="Hits to return.")] = limits.search_k,
        scope: Annotated[list[str] | None, Field(description=SCOPE_HELP)] = None,
        docs: OldDocs = None,
    ) -> list[dict[str, Any]]:
        """Hybrid search of the notes (no answer written): the `k` passages best matching `query`, best first.
        `scope` limits the search to those documents (names as hits give them) or sections ('DOC#Section title')."""

        query = checked_question(query, get_runtime, param="query")

        def run() -> list[dict[str, Any]]:
            served = get_runtime().served
            spans = scope_of([*(scope or []), *(docs or [])], served.reader)
            return [hit_out(h) for h in served.retriever.retrieve(query, k=k, scope=spans)]

        return await anyio.to_thread.run_sync(run)

    @server.tool()
    async def ask_notes(
        question: str,
        scope: Annotated[list[str] | None, Field(description=SCOPE_HELP)] = None,
        docs: OldDocs = None,
    ) -> dict[str, Any]:
        """Answer a question from the notes, with numbered citations to exact spans; abstains when the notes
        do not cover it (then `nearest` holds the closest passages). `scope` limits retrieval and citations to
        those documents or sections ('DOC#Section title')."""

        asked = checked_question(question, get_runtime)

        def run() -> dict[str, Any]:
            served = get_runtime().served
            spans = scope_of([*(scope or []), *(docs or [])], served.reader)
            answer = served.pipeline.answer(asked, scope=spans)
            citations = [
                {
                    "n": c.n,
                    "doc": c.doc,
                    "breadcrumbs": c.breadcrumbs,
                    "start": c.start,
                    "end": c.end,
                    "quote": c.quote,
                    "spans": [asdict(s) for s in c.spans],  # exactly what was quoted; start/end cover them all
                    **code_fields(c),
                }
                for c in answer.citations
            ]
            nearest = [hit_out(h) for h in answer.nearest]  # an abstention's closest passages, as /api/ask sends
            return {"text": answer.text, "abstained": answer.abstained, "citations": citations, "nearest": nearest}

        return await anyio.to_thread.run_sync(run)

    @server.tool()
    async def get_source(doc: str, start: int | None = None, end: int | None = None) -> dict[str, Any]:
        """The text of an indexed document, or of its span [start, end) (give both, or neither)."""
        text = get_runtime().served.reader.source_text(doc)
        if text is None:
            raise ToolError(f"{doc!r} is not in the index")
        if (start is None) != (end is None):
            raise ToolError(f"give both start and end (0 <= start <= end <= {len(text)}), or neither: the whole text")
        if start is None or end is None:
            return {"doc": doc, "start": 0, "end": len(text), "text": text}
        if not 0 <= start <= end <= len(text):
            raise ToolError(f"span must satisfy 0 <= start <= end <= {len(text)}")
        return {"doc": doc, "start": start, "end": end, "text": text[start:end]}

    return server


def run_stdio(settings: Any) -> None:
    """`notecite mcp`: bring the index up to date, load the models, then serve MCP on stdin/stdout."""
    from service.runtime import Runtime

    runtime = Runtime.build(settings)
    build_mcp_server(lambda: runtime, settings.limits).run("stdio")


def mcp_command(
    notes: Path | None = typer.Option(None, help="Notes folder (NOTECITE_NOTES_DIR)."),
    index: Path | None = typer.Option(None, help="Index folder (NOTECITE_INDEX_DIR)."),
) -> None:
    """Serve the notes to an MCP client over stdin/stdout (tools: search_notes, ask_notes, get_source)."""
    import logging
    import sys

    from ingest.errors import IngestError
    from models.errors import ModelError
    from service.cli import fail, index_settings

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)  # stdout carries the protocol
    settings = index_settings(notes, index)
    if not settings.notes_dir.is_dir():  # one stderr line and exit 2, as `notecite ask` (it was a traceback)
        raise fail(f"notes folder {settings.notes_dir} does not exist; set NOTECITE_NOTES_DIR or --notes")
    try:
        run_stdio(settings)
    except (IngestError, ModelError) as exc:
        raise fail(str(exc)) from None
