"""Evidence attachments on the server: stored once by hash, sealed at rest, handed out only to
whoever may see the case (its own terminal, the unit it is with, the provincial platform) and
only for files that case's timeline lists. Never on a public page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, exists, select

from dnw_desk.domain.attachments import MediaType
from dnw_desk.domain.case import EventType
from dnw_desk.server.sealing import current_sealer
from dnw_desk.server.tables import blobs, case_events, cases


def has_blob(conn: Connection, sha256: str) -> bool:
    return bool(conn.execute(select(exists().where(blobs.c.sha256 == sha256))).scalar())


def store_blob(
    conn: Connection,
    sha256: str,
    content: bytes,
    media_type: MediaType,
    terminal_id: int,
    now: datetime,
) -> bool:
    """Store the bytes once; False when they were already there."""
    if has_blob(conn, sha256):
        return False
    conn.execute(
        blobs.insert().values(
            sha256=sha256,
            size=len(content),
            media_type=media_type.value,
            content=current_sealer().seal_bytes(content),
            terminal_id=terminal_id,
            created_at=now,
        )
    )
    return True


def case_lists(conn: Connection, case_id: str, sha256: str) -> bool:
    """Whether the case's timeline holds this attachment (the hash is never sealed)."""
    return sha256 in attachment_hashes(conn, case_id)


def read_blob(conn: Connection, sha256: str) -> tuple[bytes, str] | None:
    row = conn.execute(
        select(blobs.c.content, blobs.c.media_type).where(blobs.c.sha256 == sha256)
    ).first()
    if row is None:
        return None
    return current_sealer().open_bytes(bytes(row.content)), str(row.media_type)


def attachment_hashes(conn: Connection, case_id: str) -> set[str]:
    rows = conn.execute(
        select(case_events.c.data).where(
            case_events.c.case_id == case_id,
            case_events.c.type == EventType.ATTACHMENT_ADDED.value,
        )
    ).all()
    return {
        str(row.data["sha256"])
        for row in rows
        if isinstance(row.data, dict) and isinstance(row.data.get("sha256"), str)
    }


def drop_with_case(conn: Connection, case_id: str) -> int:
    """Delete the documents of a case whose personal data is being erased, except those another
    case still holding its personal data lists too (the same scan attached twice)."""
    dropped = 0
    for sha256 in attachment_hashes(conn, case_id):
        others = conn.execute(
            select(case_events.c.data)
            .join(cases, cases.c.id == case_events.c.case_id)
            .where(
                case_events.c.type == EventType.ATTACHMENT_ADDED.value,
                case_events.c.case_id != case_id,
                cases.c.pii_purged_at.is_(None),
            )
        ).all()
        if any(isinstance(row.data, dict) and row.data.get("sha256") == sha256 for row in others):
            continue
        dropped += conn.execute(delete(blobs).where(blobs.c.sha256 == sha256)).rowcount
    return dropped
