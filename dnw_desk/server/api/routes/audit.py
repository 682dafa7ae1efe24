"""Anchors of the terminals' audit chains (tamper evidence): pushed at every sync, kept here,
read back by ``dnw-desk audit verify``. An entry once anchored cannot be anchored again with
another hash: that is a log rewritten on the terminal."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import Connection, select

from dnw_desk.contract.wire import ANCHOR_PATH, AuditAnchor
from dnw_desk.server.api.deps import DbDep, NowDep, TerminalDep
from dnw_desk.server.ops import insert_rows
from dnw_desk.server.tables import audit_anchors

router = APIRouter(tags=["sync"])


def _latest(conn: Connection, terminal_id: int) -> AuditAnchor | None:
    row = conn.execute(
        select(audit_anchors.c.entry_id, audit_anchors.c.hash)
        .where(audit_anchors.c.terminal_id == terminal_id)
        .order_by(audit_anchors.c.entry_id.desc())
        .limit(1)
    ).first()
    return AuditAnchor(entry_id=row.entry_id, hash=row.hash) if row else None


@router.post(
    ANCHOR_PATH,
    response_model=AuditAnchor,
    responses={401: {}, 409: {}},
    summary="Anchor the head of this terminal's audit chain",
)
def anchor(body: AuditAnchor, terminal: TerminalDep, db: DbDep, now: NowDep) -> AuditAnchor:
    with db.write() as conn:
        stored = conn.execute(
            select(audit_anchors.c.hash).where(
                audit_anchors.c.terminal_id == terminal.id,
                audit_anchors.c.entry_id == body.entry_id,
            )
        ).scalar()
        if stored is not None and stored != body.hash:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail=f"Audit entry {body.entry_id} was anchored with another hash: the "
                "terminal's audit log has been rewritten.",
            )
        if stored is None:
            insert_rows(
                conn,
                audit_anchors,
                [
                    {
                        "terminal_id": terminal.id,
                        "entry_id": body.entry_id,
                        "hash": body.hash,
                        "anchored_at": now,
                    }
                ],
            )
        latest = _latest(conn, terminal.id)
    assert latest is not None
    return latest


@router.get(
    ANCHOR_PATH,
    response_model=AuditAnchor,
    responses={401: {}, 404: {}},
    summary="The latest anchor of this terminal's audit chain",
)
def latest_anchor(terminal: TerminalDep, db: DbDep) -> AuditAnchor:
    with db.read() as conn:
        found = _latest(conn, terminal.id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Nothing anchored yet.")
    return found
