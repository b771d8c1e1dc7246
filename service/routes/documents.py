"""The indexed documents: list, upload, delete, and the source text behind a citation."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, File, Form, Query, UploadFile
from starlette.concurrency import run_in_threadpool

from ingest.pipeline import UPLOAD_PREFIX
from service.deps import RuntimeDep, SettingsDep, UploadsDep, WriteAccess
from service.errors import ApiError
from service.schemas import DocumentsOut, SourceOut, UploadOut

router = APIRouter(prefix="/api", tags=["documents"])


def document_out(record) -> dict:  # noqa: ANN001 - ingest.schema.DocumentRecord
    return {
        "doc": record.doc,
        "sha256": record.sha256,
        "kind": record.kind,
        "n_passages": record.n_passages,
        "indexed_at": record.indexed_at,
        "deletable": record.doc.startswith(UPLOAD_PREFIX),
        "warnings": list(record.warnings),
    }


def report_out(report) -> dict:  # noqa: ANN001 - ingest.pipeline.IngestReport
    return {
        "generation": report.generation,
        "files": report.files,
        "passages": report.passages,
        "embedded": report.embedded,
        "removed": report.removed,
        "skipped": [list(s) for s in report.skipped],
        "seconds": report.seconds,
    }


@router.get("/documents", response_model=DocumentsOut)
def list_documents(runtime: RuntimeDep) -> dict:
    """Every indexed file with its passage count, sha256 and when it was indexed."""
    return {"documents": [document_out(d) for d in runtime.served.reader.documents()]}


@router.post("/documents", response_model=UploadOut, status_code=201, dependencies=[WriteAccess])
async def upload_document(
    uploads: UploadsDep,
    settings: SettingsDep,
    file: UploadFile = File(...),
    overwrite: bool = Form(
        True, description="An upload of a name already uploaded replaces it; false: 409 instead, nothing changed."
    ),
) -> dict:
    """Upload a note (a format the loaders read: txt, md, rst, org, ipynb, html, pdf, tex, docx); it is indexed
    at once and the index switched atomically. The response says whether it replaced an earlier upload of that
    name (`replaced`, `previous`)."""
    data = await file.read(settings.limits.max_upload_bytes + 1)
    stored = await run_in_threadpool(uploads.add, file.filename or "", data, overwrite)
    previous = asdict(stored.previous) if stored.previous else None
    return {
        "document": document_out(stored.record),
        "report": report_out(stored.report),
        "replaced": previous is not None,
        "previous": previous,
    }


@router.delete("/documents/{doc:path}", dependencies=[WriteAccess])
def delete_document(doc: str, uploads: UploadsDep) -> dict:
    """Delete an uploaded note from disk and from the index."""
    report = uploads.delete(doc)
    return {"deleted": doc, "report": report_out(report)}


@router.get("/sources/{doc:path}", response_model=SourceOut)
def source(
    doc: str,
    runtime: RuntimeDep,
    start: int | None = Query(None, ge=0),
    end: int | None = Query(None, ge=0),
) -> dict:
    """The text of an indexed document, with the cited span to highlight."""
    reader = runtime.served.reader  # one generation for the whole request
    text = reader.source_text(doc)
    if text is None:
        raise ApiError(404, "unknown document", f"{doc!r} is not in the index; GET /api/documents lists them")
    kind = next((d.kind for d in reader.documents() if d.doc == doc), "note")
    highlight = None
    if start is not None or end is not None:
        if start is None or end is None or not start <= end <= len(text):
            raise ApiError(
                422, "bad span", f"start and end must satisfy 0 <= start <= end <= {len(text)}; got {start}, {end}"
            )
        highlight = {"start": start, "end": end}
    return {"doc": doc, "kind": kind, "text": text, "highlight": highlight}
