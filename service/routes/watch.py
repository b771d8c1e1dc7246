"""The live notes folder's per-file status (the Documents panel polls it while open)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from service.deps import RuntimeDep

router = APIRouter(prefix="/api", tags=["documents"])


class FileStatusOut(BaseModel):
    doc: str
    status: str
    reason: str
    updated_at: str


class WatchOut(BaseModel):
    watching: bool
    generation: str
    files: list[FileStatusOut]


@router.get("/watch", response_model=WatchOut)
def watch_status(request: Request, runtime: RuntimeDep) -> dict:
    """Each file of the notes folder: indexed, indexing (a change is being re-indexed) or skipped, with why.
    `watching` is false when NOTECITE_WATCH is off (files then change only on restart or upload)."""
    watcher = getattr(request.app.state, "watcher", None)
    files = [s.to_dict() for s in watcher.statuses()] if watcher is not None else []
    return {"watching": bool(watcher and watcher.watching), "generation": runtime.served.generation, "files": files}
