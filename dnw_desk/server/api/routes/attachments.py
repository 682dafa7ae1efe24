"""Evidence attachments: terminals upload them by content hash before the event that lists
them; the case's own terminal, the unit it is with and the platform download them."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from dnw_desk.domain.attachments import MAX_BYTES, media_type_of
from dnw_desk.server.api.deps import (
    BearerDep,
    DbDep,
    NowDep,
    TerminalDep,
    current_terminal,
    current_unit,
)
from dnw_desk.server.attachments import case_lists, has_blob, read_blob, store_blob
from dnw_desk.server.credentials import TerminalRecord, UnitRecord
from dnw_desk.server.tables import cases

router = APIRouter(prefix="/api/v1", tags=["attachments"])
Sha256 = Annotated[str, Path(pattern="^[0-9a-f]{64}$")]
PRIVATE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@router.head("/blobs/{sha256}", responses={401: {}, 404: {}})
def blob_present(sha256: Sha256, _terminal: TerminalDep, db: DbDep) -> Response:
    with db.read() as conn:
        present = has_blob(conn, sha256)
    return Response(status_code=status.HTTP_200_OK if present else status.HTTP_404_NOT_FOUND)


@router.put(
    "/blobs/{sha256}",
    status_code=status.HTTP_201_CREATED,
    responses={200: {}, 401: {}, 413: {}, 422: {}},
    summary="Upload an attachment's bytes under their SHA-256 (idempotent)",
)
async def upload_blob(
    sha256: Sha256, request: Request, terminal: TerminalDep, db: DbDep, now: NowDep
) -> Response:
    content = await request.body()
    if len(content) > MAX_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "An attachment is at most 10 MB.")
    if hashlib.sha256(content).hexdigest() != sha256:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "The content does not match its SHA-256."
        )
    media = media_type_of(content)
    if media is None or not content:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "An attachment is a PDF, JPEG or PNG file."
        )

    def store() -> bool:
        with db.write() as conn:
            return store_blob(conn, sha256, content, media, terminal.id, now)

    created = await run_in_threadpool(store)
    return Response(status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _caller(db: DbDep, credentials: BearerDep) -> TerminalRecord | UnitRecord:
    """A terminal's or a unit's token: both may read the attachments of their own cases."""
    try:
        return current_terminal(db, credentials)
    except HTTPException:
        return current_unit(db, credentials)


@router.get(
    "/cases/{case_no}/attachments/{sha256}",
    responses={401: {}, 403: {}, 404: {}},
    summary="Download one attachment of a case (its terminal, its unit, the platform)",
)
def download(
    case_no: str,
    sha256: Sha256,
    db: DbDep,
    caller: Annotated[TerminalRecord | UnitRecord, Depends(_caller)],
) -> Response:
    with db.read() as conn:
        case = conn.execute(
            select(cases.c.id, cases.c.hall, cases.c.window, cases.c.lead_unit).where(
                cases.c.number == case_no[:32]
            )
        ).first()
        if case is None or not case_lists(conn, case.id, sha256):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "No such attachment on this case.")
        if isinstance(caller, TerminalRecord):
            allowed = (case.hall, case.window) == (caller.hall, caller.window)
        else:
            allowed = caller.serves(case.hall) and (
                caller.platform or case.lead_unit == caller.name
            )
        if not allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "This case is not yours.")
        found = read_blob(conn, sha256)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "The attachment was not uploaded yet.")
    content, media_type = found
    return Response(content, media_type=media_type, headers=PRIVATE)
